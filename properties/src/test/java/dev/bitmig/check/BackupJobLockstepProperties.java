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
        Arbitrary<Policy> policies = Arbitraries.of(Policies.ALL.toJavaList());
        Arbitrary<Integer> clusters = Arbitraries.integers().between(1, 64).edgeCases(e -> e.includeOnly(1, 3, 64));
        Arbitrary<InitialWorld> initial = Arbitraries.of(InitialWorld.class);
        return net.jqwik.api.Combinators.combine(policies, clusters, initial).flatAs((p, n, i) -> {
            Bounds bounds = new Bounds(n, List.of(1, 2, 4, 8), List.of("a", "b"), 32, Math.min(4, n), false, false, 1)
                    .withCapabilities(Capabilities.BACKUP_JOBS);
            return ActionChain.<LockstepProperties.State>startWith(() -> new LockstepProperties.State(p, bounds, i, false))
                    .withAction((net.jqwik.api.state.Action.Dependent<LockstepProperties.State>) state ->
                            Arbitraries.randomValue(r -> state.generator.next(state.lockstep.world(), r))
                                    .map(a -> Transformer.<LockstepProperties.State>mutate(a.toString(), s -> s.apply(a))))
                    .withMaxTransformations(32);
        });
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
