package dev.bitmig.check;

import dev.bitmig.model.Invariant;

import static org.assertj.core.api.Assertions.assertThat;

/** Two runs, with and without a reduction, give the same verdicts, classes and shortest lengths. */
final class SymmetryCheck {
    private SymmetryCheck() {
    }

    static void sameAnswers(ExplorationResult reduced, ExplorationResult full) {
        assertThat(reduced.distinct()).as("the reduction merges states").isLessThan(full.distinct());
        for (Invariant inv : Invariant.values()) {
            assertThat(reduced.verdicts().get(inv).get().holds()).as("%s %s", reduced.policy(), inv)
                    .isEqualTo(full.verdicts().get(inv).get().holds());
            assertThat(reduced.classesOf(inv).map(f -> f.violationClass().name() + " " + f.counterexample().actions().size()))
                    .as("%s %s: classes and their shortest lengths", reduced.policy(), inv)
                    .containsExactlyElementsOf(full.classesOf(inv)
                            .map(f -> f.violationClass().name() + " " + f.counterexample().actions().size()));
        }
    }
}
