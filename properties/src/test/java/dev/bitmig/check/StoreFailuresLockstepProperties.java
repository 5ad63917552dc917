package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Capabilities;
import dev.bitmig.model.Cause;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Phase;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import net.jqwik.api.statistics.Statistics;

/**
 * Chains in which the volume under the image runs out of space and is freed again, on top of everything else, in
 * lockstep: the implementation's image store refuses every write while the volume is full, and refinement must hold
 * at every step. The safety invariants are only counted here; the capability's own golden matrix records them.
 */
class StoreFailuresLockstepProperties {

    @Provide
    Arbitrary<ActionChain<LockstepProperties.State>> chains() {
        return LockstepProperties.capabilityChains(b -> b.withCapabilities(Capabilities.STORE_FAILURES));
    }

    @Property(tries = 300)
    void theImplementationRefinesTheModelWhileTheVolumeIsFull(@ForAll("chains") ActionChain<LockstepProperties.State> chain) {
        LockstepProperties.State end = chain.run();
        end.knownViolations.distinct().forEach(v -> Statistics.label("violation").collect(end.policy.name() + " " + v));
        // What the chain showed the user, replayed on the model: ENOSPC answers, and the stores that failed.
        Spec spec = new Spec(end.policy, end.bounds.geometry());
        World w = end.initial.build(end.bounds);
        boolean enospc = false;
        boolean storeFailed = false;
        for (Action a : end.actions) {
            Outcome o = spec.apply(w, a);
            enospc |= o.error().exists(e -> e.endsWith(QemuErrors.NO_SPACE));
            World next = o.successor().getOrElse(w);
            storeFailed |= next.image().full() && next.losses().exists(l -> l.cause() == Cause.STORE_FAILED);
            storeFailed |= next.migration().phase() == Phase.FAILED && next.migration().error()
                    .exists(e -> e.endsWith(QemuErrors.NO_SPACE)) && w.migration().phase() != Phase.FAILED;
            w = next;
        }
        Statistics.label("the volume filled up").collect(end.kinds.contains("VolumeFull"))
                .coverage(c -> c.check(true).percentage(p -> p >= 50.0));
        Statistics.label("QEMU answered No space left on device").collect(enospc)
                .coverage(c -> c.check(true).percentage(p -> p >= 20.0));
        Statistics.label("a store or a handover failed on the full volume").collect(storeFailed)
                .coverage(c -> c.check(true).percentage(p -> p >= 3.0));
    }
}
