package dev.bitmig.check;

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
 * Chains with an active mirror job (blockdev-mirror copy-mode=write-blocking) on top of everything else, in lockstep.
 * Refinement must hold at every step. The safety invariants are only counted: the golden matrix proves them without
 * mirror jobs, and no policy of the thread protects a job's bitmap from writes made while its node was inactive.
 */
class MirrorLockstepProperties {

    @Provide
    Arbitrary<ActionChain<LockstepProperties.State>> chains() {
        return LockstepProperties.capabilityChains(b -> b.withMirrorGranularities(List.of(1, 2, 4, 8)));
    }

    @Property(tries = 300)
    void theImplementationRefinesTheModelWhileAMirrorJobRuns(@ForAll("chains") ActionChain<LockstepProperties.State> chain) {
        LockstepProperties.State end = chain.run();
        boolean started = end.kinds.contains("MirrorStart");
        boolean writtenUnder = false;
        for (int i = 0; i + 1 < end.kinds.size(); i++) {
            if (end.kinds.get(i).equals("MirrorStart") && end.kinds.drop(i + 1).contains("GuestWrite")) {
                writtenUnder = true;
            }
        }
        end.knownViolations.distinct().forEach(v -> Statistics.label("violation").collect(end.policy.name() + " " + v));
        Statistics.label("mirror job started").collect(started).coverage(c -> c.check(true).percentage(p -> p >= 30.0));
        Statistics.label("guest write after a mirror start").collect(writtenUnder)
                .coverage(c -> c.check(true).percentage(p -> p >= 20.0));
    }
}
