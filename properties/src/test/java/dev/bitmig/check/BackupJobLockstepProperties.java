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
 * Chains with backup jobs that hold a bitmap on top of everything else, in lockstep: refinement must hold at every
 * step, through the successor and its abdication or reclaim. The safety invariants are only counted here; the
 * capability's own golden matrix records them.
 */
class BackupJobLockstepProperties {

    @Provide
    Arbitrary<ActionChain<LockstepProperties.State>> chains() {
        return LockstepProperties.capabilityChains(b -> b.withCapabilities(Capabilities.BACKUP_JOBS));
    }

    @Property(tries = 300)
    void theImplementationRefinesTheModelWhileABackupJobHoldsABitmap(@ForAll("chains") ActionChain<LockstepProperties.State> chain) {
        LockstepProperties.State end = chain.run();
        boolean started = end.kinds.contains("BackupStart");
        boolean ended = end.kinds.contains("BackupFail") || end.kinds.contains("BackupCancel");
        end.knownViolations.distinct().forEach(v -> Statistics.label("violation").collect(end.policy.name() + " " + v));
        Statistics.label("backup job started").collect(started).coverage(c -> c.check(true).percentage(p -> p >= 30.0));
        Statistics.label("backup job failed or cancelled").collect(ended)
                .coverage(c -> c.check(true).percentage(p -> p >= 10.0));
    }
}
