package dev.bitmig.check;

import dev.bitmig.model.Invariant;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Spec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The explorer's answers do not depend on the thread count, and its counterexamples are shortest ones. */
class ExplorerTest {
    private static final Bounds SMALL = Bounds.DEFAULT.withDepth(4);

    private static ExplorationResult run(int threads) {
        return new Explorer(new Spec(Policies.QEMU_10_0, SMALL.geometry()), SMALL, threads, Refinement.NONE)
                .run(Explorer.initialWorlds(SMALL), p -> { });
    }

    @Test
    void oneAndTwoThreadsFindTheSameStatesAndTheSameShortestCounterexamples() {
        ExplorationResult one = run(1);
        ExplorationResult two = run(2);
        assertThat(two.distinct()).isEqualTo(one.distinct());
        assertThat(two.generated()).isEqualTo(one.generated());
        assertThat(two.depth()).isEqualTo(one.depth());
        assertThat(two.verdicts()).isEqualTo(one.verdicts());
    }

    @Test
    void aViolatedInvariantComesWithACounterexampleThatReplaysToTheSameViolation() throws Exception {
        ExplorationResult r = run(2);
        Verdict v = r.verdicts().get(Invariant.NO_SILENT_LOSS).get();
        assertThat(v).isInstanceOf(Verdict.Violated.class);
        Trace t = VerdictMatrix.trace(r, Invariant.NO_SILENT_LOSS, (Verdict.Violated) v);
        Replay replay = Replay.of(t);
        assertThat(replay.finalViolation()).contains(((Verdict.Violated) v).message());
        assertThat(replay.violations().init().forAll(io.vavr.control.Option::isEmpty))
                .as("no earlier step already violates it: the counterexample is minimal in length").isTrue();
    }

    @Test
    void noShorterSequenceBreaksTheInvariant() {
        ExplorationResult r = run(2);
        Verdict.Violated v = (Verdict.Violated) r.verdicts().get(Invariant.NO_SILENT_LOSS).get();
        Bounds shorter = SMALL.withDepth(v.actions().size() - 1);
        ExplorationResult s = new Explorer(new Spec(Policies.QEMU_10_0, shorter.geometry()), shorter, 2, Refinement.NONE)
                .run(Explorer.initialWorlds(shorter), p -> { });
        assertThat(s.verdicts().get(Invariant.NO_SILENT_LOSS).get().holds()).isTrue();
    }

    @Test
    void everyExploredTransitionOfEveryPolicyRefinesTheModel() {
        EveryPolicyRefines.within(Bounds.DEFAULT.withDepth(4));
    }
}
