package dev.bitmig.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.ViolationClass;
import dev.bitmig.model.ViolationClasses;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The explorer keeps every violation class with its shortest counterexample, the same for any thread count. */
class ViolationClassesExplorerTest {
    private static final Bounds FIVE = Bounds.DEFAULT.withDepth(5);

    static ExplorationResult explore(Policy p, Bounds b, int threads, boolean symmetry) {
        return Runs.of(p, b, threads, symmetry);
    }

    @Test
    void oneAndTwoThreadsFindTheSameClassesAndTheSameCounterexamples() {
        for (Policy p : List.of(Policies.QEMU_10_0, Policies.CANARY_MERGE)) {
            ExplorationResult one = explore(p, FIVE, 1, true);
            ExplorationResult two = explore(p, FIVE, 2, true);
            assertThat(two.distinct()).as(p.name()).isEqualTo(one.distinct());
            assertThat(two.levels()).as(p.name()).isEqualTo(one.levels());
            assertThat(two.classes()).as(p.name()).isEqualTo(one.classes());
            assertThat(two.verdicts()).as(p.name()).isEqualTo(one.verdicts());
            assertThat(one.classesOf(Invariant.NO_SILENT_LOSS).size()).as(p.name()).isGreaterThan(1);
        }
    }

    @Test
    void everyClassIsRecordedAtTheStepThatBreaksItsInvariantAndItsCounterexampleReplaysToIt() {
        for (Policy p : Policies.ALL) {
            ExplorationResult r = explore(p, FIVE, 2, true);
            Spec spec = new Spec(p, FIVE.geometry());
            for (Invariant inv : Invariant.values()) {
                for (ClassFinding f : r.classesOf(inv)) {
                    Verdict.Violated ce = f.counterexample();
                    World w = InitialWorld.values()[ce.initial()].build(FIVE);
                    World before = w;
                    for (var a : ce.actions()) {
                        before = w;
                        Outcome o = spec.apply(w, a);
                        assertThat(o.successor().isDefined()).as("%s %s: %s replays", p.name(), f.violationClass(), a).isTrue();
                        w = o.successor().get();
                    }
                    if (inv == Invariant.NO_SILENT_LOSS) {
                        assertThat(ViolationClasses.lost(before, ce.actions().last(), w))
                                .as("%s: the last step loses the bitmap by its class", p.name()).contains(f.violationClass());
                    } else {
                        assertThat(inv.holds(before, FIVE.geometry()))
                                .as("%s %s: the world before the last step satisfies the invariant", p.name(), f.violationClass())
                                .isTrue();
                        assertThat(ViolationClasses.of(inv, w, FIVE.geometry())).as(p.name()).contains(f.violationClass());
                    }
                    assertThat(ce.message()).as(p.name()).isNotBlank();
                }
            }
        }
    }

    @Test
    void theShortestCounterexampleOfACellIsTheShortestOfItsClasses() {
        ExplorationResult r = explore(Policies.QEMU_10_0, FIVE, 2, true);
        for (Invariant inv : List.of(Invariant.NO_UNDER_REPORT, Invariant.NO_SILENT_LOSS)) {
            Verdict.Violated v = (Verdict.Violated) r.verdicts().get(inv).get();
            int shortest = r.classesOf(inv).map(f -> f.counterexample().actions().size()).min().get();
            assertThat(v.actions().size()).isEqualTo(shortest);
            assertThat(r.classesOf(inv).map(ClassFinding::counterexample)).contains(v);
        }
    }

    @Test
    void theSymmetryOfBitmapNamesChangesNoVerdictAndNoClassAtDepthSix() {
        Policy p = Policies.DROP_ON_INACTIVATE;
        Bounds six = Bounds.DEFAULT;
        assertThat(six.depth()).isEqualTo(6);
        ExplorationResult reduced = explore(p, six, 2, true);
        ExplorationResult full = explore(p, six, 2, false);
        assertThat(reduced.symmetry()).isTrue();
        assertThat(full.symmetry()).isFalse();
        SymmetryCheck.sameAnswers(reduced, full);
    }

    @Test
    void renumberingLineageIdsChangesNoVerdictAndNoClassAtDepthSix() {
        Policy p = Policies.DROP_ON_INACTIVATE;
        SymmetryCheck.sameAnswers(Runs.of(p, Bounds.DEFAULT, 2, true, true), Runs.of(p, Bounds.DEFAULT, 2, true, false));
    }

    @Test
    void aSearchThatCannotFitItsHeapBudgetStopsWithOneLineNamingTheDepthAndTheStates() {
        Explorer e = new Explorer(new Spec(Policies.QEMU_10_0, FIVE.geometry()), FIVE, 2, Refinement.NONE)
                .withHeapBudget(8L << 20);
        assertThatThrownBy(() -> e.run(Explorer.initialWorlds(FIVE), x -> { }))
                .isInstanceOf(ExplorationTooLarge.class)
                .satisfies(t -> {
                    ExplorationTooLarge x = (ExplorationTooLarge) t;
                    assertThat(x.getMessage()).doesNotContain("\n")
                            .contains("depth " + (x.depth() + 1) + " does not fit")
                            .contains("reached depth " + x.depth() + " with " + String.format(java.util.Locale.ROOT, "%,d", x.states()) + " states");
                    assertThat(x.states()).isPositive();
                });
    }

    @Test
    void withoutForeignWritesNoWriteBySomebodyElseIsEverMissed() {
        Bounds noTools = FIVE.withWithout(List.of("ForeignWrite"));
        assertThat(noTools.actions().map(a -> a.kind())).doesNotContain("ForeignWrite").contains("GuestWrite");
        ExplorationResult r = explore(Policies.QEMU_10_0, noTools, 2, true);
        assertThat(r.classesOf(Invariant.NO_UNDER_REPORT).map(f -> f.violationClass().name()))
                .noneMatch(n -> n.contains("-tool/"));
        JsonNode config = new VerdictMatrix(noTools, List.of(r)).toJson().get("configuration");
        assertThat(config.get("without").toString()).isEqualTo("[\"ForeignWrite\"]");
    }

    @Test
    void anUnknownActionKindIsRefusedWithTheValidOnes() {
        assertThatThrownBy(() -> FIVE.withWithout(List.of("GuestWrites")))
                .hasMessageContaining("unknown action kind GuestWrites").hasMessageContaining("GuestWrite, ForeignWrite");
    }

    @Test
    void everyClassExplainsItselfWithAQemuSourceAndWhatItMeansForABackupTool() {
        ExplorationResult r = explore(Policies.QEMU_2_12, FIVE, 2, true);
        for (Invariant inv : Invariant.values()) {
            for (ClassFinding f : r.classesOf(inv)) {
                ViolationClass c = f.violationClass();
                assertThat(c.description()).as(c.name()).containsPattern("[a-z-]+/[a-z0-9_/-]+\\.(c|txt)");
                assertThat(c.forBackupTools()).as(c.name()).startsWith("For a backup");
            }
        }
    }
}
