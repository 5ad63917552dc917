package dev.bitmig.check;

import dev.bitmig.model.Capabilities;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
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
 * Chains with qemu-img's offline edits (qemu-img bitmap, qemu-img check -r all, qemu-img convert --bitmaps) on top of everything else, in
 * lockstep: the implementation edits its real qcow2 bitmap directory, and refinement must hold at every step. The
 * safety invariants are only counted here; the capability's own golden matrix records them.
 */
class OfflineToolsLockstepProperties {

    @Provide
    Arbitrary<ActionChain<LockstepProperties.State>> chains() {
        return LockstepProperties.capabilityChains(b -> b.withCapabilities(Capabilities.OFFLINE_TOOLS));
    }

    @Property(tries = 300)
    void theImplementationRefinesTheModelThroughQemuImgEdits(@ForAll("chains") ActionChain<LockstepProperties.State> chain) {
        LockstepProperties.State end = chain.run();
        end.knownViolations.distinct().forEach(v -> Statistics.label("violation").collect(end.policy.name() + " " + v));
        // A step that changed nothing is counted as "(rejected)": check -r all mostly changes nothing.
        Statistics.label("qemu-img bitmap changed the image").collect(end.kinds.contains("ImgBitmap"))
                .coverage(c -> c.check(true).percentage(p -> p >= 25.0));
        Statistics.label("qemu-img check ran").collect(end.kinds.exists(k -> k.startsWith("ImgCheck")))
                .coverage(c -> c.check(true).percentage(p -> p >= 20.0));
        // A convert changes the model's world only where it leaves entries behind (IN_USE, or autoclear bit 0 clear).
        Statistics.label("qemu-img convert ran").collect(end.kinds.exists(k -> k.startsWith("ImgConvert")))
                .coverage(c -> c.check(true).percentage(p -> p >= 20.0));
        Statistics.label("qemu-img convert left entries behind").collect(end.kinds.contains("ImgConvert"));
    }
}
