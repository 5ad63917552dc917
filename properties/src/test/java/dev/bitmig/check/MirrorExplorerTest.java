package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The explorer with active mirror jobs in its bounds (blockdev-mirror copy-mode=write-blocking). */
class MirrorExplorerTest {
    private static final Bounds MIRROR = new Bounds(2, List.of(1), List.of("a"), 4, 1, false, false, 1, List.of(2));

    @Test
    void everyExploredMirrorTransitionOfEveryPolicyRefinesTheModel() {
        EveryPolicyRefines.within(MIRROR);
    }

    /**
     * The canary protects named bitmaps; nothing in the thread's policies re-dirties a job's bitmap. Six steps: the job
     * must first copy the cluster that the other process then writes.
     */
    @Test
    void theCanaryDoesNotProtectAMirrorJobFromWritesMadeWhileItsNodeWasInactive() throws Exception {
        Bounds deeper = MIRROR.withDepth(6).withMirrorGranularities(List.of(1));
        for (Policy p : List.of(Policies.CANARY_DROP, Policies.CANARY_MERGE)) {
            ExplorationResult r = Runs.of(p, deeper, 2, true);
            Verdict v = r.verdicts().get(Invariant.NO_UNDER_REPORT).get();
            assertThat(v).as(p.name()).isInstanceOf(Verdict.Violated.class);
            Verdict.Violated violated = (Verdict.Violated) v;
            assertThat(violated.message()).as(p.name()).startsWith("the mirror job's dirty bitmap");
            assertThat(violated.actions()).as(p.name()).anyMatch(a -> a instanceof Action.MirrorStart);
            assertThat(violated.actions()).as(p.name()).anyMatch(a -> a instanceof Action.ForeignWrite);
            Trace t = VerdictMatrix.trace(r, Invariant.NO_UNDER_REPORT, violated);
            assertThat(Replay.of(t).finalViolation()).contains(violated.message());
        }
    }
}
