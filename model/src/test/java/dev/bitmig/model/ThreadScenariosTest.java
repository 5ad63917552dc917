package dev.bitmig.model;

import dev.bitmig.model.scenario.Scenario;
import dev.bitmig.model.scenario.ScenarioRun;
import dev.bitmig.model.scenario.ThreadScenarios;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.collection.TreeSet;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static dev.bitmig.model.Invariant.NO_LOST_DISK;
import static dev.bitmig.model.Invariant.NO_SILENT_LOSS;
import static dev.bitmig.model.Invariant.NO_UNDER_REPORT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed thread's cases under the six policies it is about (what QEMU did and does, and the thread's fixes). A
 * policy added later states its own expectations in its own test. Each row states, for one policy, which invariants the story
 * violates; every other invariant must hold at every step. The test's name says it.
 */
class ThreadScenariosTest {
    private static final Geometry GEOMETRY = new Geometry(ThreadScenarios.CLUSTERS);

    private record Expectation(Scenario scenario, Policy policy, Set<Invariant> violated, String why) {
        String sentence() {
            String verdict = violated.isEmpty() ? "keeps every invariant"
                    : "violates " + violated.toList().map(Invariant::title).mkString(" and ");
            return policy.name() + " " + verdict + " when " + scenario.story() + ": " + why;
        }
    }

    private static Expectation expect(Scenario s, Policy p, String why, Invariant... violated) {
        return new Expectation(s, p, TreeSet.of(violated), why);
    }

    private static final List<Expectation> TABLE = List.of(
            // (a) cancelled after handover
            expect(ThreadScenarios.A_CANCELLED_AFTER_HANDOVER, Policies.QEMU_2_12,
                    "the resumed source holds a only as a transient bitmap, so quit never stores it (H1)", NO_SILENT_LOSS),
            expect(ThreadScenarios.A_CANCELLED_AFTER_HANDOVER, Policies.REPERSIST_ON_INVALIDATE,
                    "activation makes a persistent again, so quit stores it"),
            expect(ThreadScenarios.A_CANCELLED_AFTER_HANDOVER, Policies.DROP_ON_INACTIVATE,
                    "a is dropped at inactivation, a documented loss; the stale IN_USE entry loads inconsistent"),
            expect(ThreadScenarios.A_CANCELLED_AFTER_HANDOVER, Policies.CANARY_DROP,
                    "nobody wrote while the source was inactive: the canary is clean and a is kept"),
            expect(ThreadScenarios.A_CANCELLED_AFTER_HANDOVER, Policies.CANARY_MERGE,
                    "nobody wrote while the source was inactive: the canary is clean and a is kept"),
            expect(ThreadScenarios.A_CANCELLED_AFTER_HANDOVER, Policies.QEMU_10_0,
                    "activation clears skip_store, so quit stores a (R6, R15)"),
            // (a) failed after handover
            expect(ThreadScenarios.A_FAILED_AFTER_HANDOVER, Policies.QEMU_2_12,
                    "the resumed source holds a only as a transient bitmap (H1)", NO_SILENT_LOSS),
            expect(ThreadScenarios.A_FAILED_AFTER_HANDOVER, Policies.REPERSIST_ON_INVALIDATE,
                    "fix [1] restores the persistent flag on invalidate"),
            expect(ThreadScenarios.A_FAILED_AFTER_HANDOVER, Policies.DROP_ON_INACTIVATE,
                    "the loss is the policy's own, documented drop"),
            expect(ThreadScenarios.A_FAILED_AFTER_HANDOVER, Policies.CANARY_DROP, "the canary is clean"),
            expect(ThreadScenarios.A_FAILED_AFTER_HANDOVER, Policies.CANARY_MERGE, "the canary is clean"),
            expect(ThreadScenarios.A_FAILED_AFTER_HANDOVER, Policies.QEMU_10_0,
                    "activation clears skip_store (R6)"),
            // (a) failed before handover: nothing activates, so skip_store (or the cleared flag) stays
            expect(ThreadScenarios.A_FAILED_BEFORE_HANDOVER, Policies.QEMU_2_12,
                    "the cleared persistent flag is never restored", NO_SILENT_LOSS),
            expect(ThreadScenarios.A_FAILED_BEFORE_HANDOVER, Policies.REPERSIST_ON_INVALIDATE,
                    "there is no invalidate, so fix [1] never runs", NO_SILENT_LOSS),
            expect(ThreadScenarios.A_FAILED_BEFORE_HANDOVER, Policies.DROP_ON_INACTIVATE,
                    "skip_store stays set without an activation (R6), so quit skips a", NO_SILENT_LOSS),
            expect(ThreadScenarios.A_FAILED_BEFORE_HANDOVER, Policies.CANARY_DROP,
                    "skip_store stays set without an activation (R6), so quit skips a", NO_SILENT_LOSS),
            expect(ThreadScenarios.A_FAILED_BEFORE_HANDOVER, Policies.CANARY_MERGE,
                    "skip_store stays set without an activation (R6), so quit skips a", NO_SILENT_LOSS),
            expect(ThreadScenarios.A_FAILED_BEFORE_HANDOVER, Policies.QEMU_10_0,
                    "skip_store stays set without an activation (R6), so quit skips a", NO_SILENT_LOSS),
            // (a) a foreign writer while the source is inactive
            expect(ThreadScenarios.A_FOREIGN_WRITE_AFTER_HANDOVER, Policies.QEMU_2_12,
                    "the resumed source's a misses the tool's write", NO_UNDER_REPORT),
            expect(ThreadScenarios.A_FOREIGN_WRITE_AFTER_HANDOVER, Policies.REPERSIST_ON_INVALIDATE,
                    "the resumed source's a misses the tool's write", NO_UNDER_REPORT),
            expect(ThreadScenarios.A_FOREIGN_WRITE_AFTER_HANDOVER, Policies.DROP_ON_INACTIVATE,
                    "nothing was kept that could miss the write"),
            expect(ThreadScenarios.A_FOREIGN_WRITE_AFTER_HANDOVER, Policies.CANARY_DROP,
                    "the tool recorded into the canary, so a is dropped"),
            expect(ThreadScenarios.A_FOREIGN_WRITE_AFTER_HANDOVER, Policies.CANARY_MERGE,
                    "the tool recorded into the canary, which is merged into a"),
            expect(ThreadScenarios.A_FOREIGN_WRITE_AFTER_HANDOVER, Policies.QEMU_10_0,
                    "qcow2_do_open case 3.1: nothing detects that the disk changed", NO_UNDER_REPORT),
            // (b) the target writes and quits
            expect(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, Policies.QEMU_2_12,
                    "cont fails on the name clash with the target's stored a, so the stale copy is never used; the "
                            + "failed reopen leaves the source without its disk (D4)", NO_LOST_DISK),
            expect(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, Policies.REPERSIST_ON_INVALIDATE,
                    "cont fails on the name clash with the target's stored a, and the failed reopen leaves the source "
                            + "without its disk (D4)", NO_LOST_DISK),
            expect(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, Policies.DROP_ON_INACTIVATE,
                    "cont reloads the target's stored a"),
            expect(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, Policies.CANARY_DROP,
                    "the kept a gives way to the target's newer stored a"),
            expect(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, Policies.CANARY_MERGE,
                    "the kept a gives way to the target's newer stored a"),
            expect(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, Policies.QEMU_10_0,
                    "cont fails: \"Could not reopen qcow2 layer: Bitmap already exists: a\", and the source's node is "
                            + "left without a medium (D4)", NO_LOST_DISK),
            // (b) the target writes and is killed
            expect(ThreadScenarios.B_TARGET_WRITES_CRASHES_CONT_SOURCE, Policies.QEMU_2_12,
                    "the target's IN_USE entry is skipped and the stale source copy comes back", NO_UNDER_REPORT),
            expect(ThreadScenarios.B_TARGET_WRITES_CRASHES_CONT_SOURCE, Policies.REPERSIST_ON_INVALIDATE,
                    "the stale source copy comes back persistent", NO_UNDER_REPORT),
            expect(ThreadScenarios.B_TARGET_WRITES_CRASHES_CONT_SOURCE, Policies.DROP_ON_INACTIVATE,
                    "the source kept nothing; the crash explains the loss"),
            expect(ThreadScenarios.B_TARGET_WRITES_CRASHES_CONT_SOURCE, Policies.CANARY_DROP,
                    "the canary is IN_USE after the crash, so a is dropped"),
            expect(ThreadScenarios.B_TARGET_WRITES_CRASHES_CONT_SOURCE, Policies.CANARY_MERGE,
                    "the canary is IN_USE after the crash, so a is marked entirely dirty"),
            expect(ThreadScenarios.B_TARGET_WRITES_CRASHES_CONT_SOURCE, Policies.QEMU_10_0,
                    "the IN_USE entry is skipped (a505475b95) and skip_store is cleared on the stale copy",
                    NO_UNDER_REPORT),
            // (c) stop and cont on the source
            expect(ThreadScenarios.C_STOP_CONT_SOURCE, Policies.QEMU_2_12,
                    "the second cont brings back the stale copy", NO_UNDER_REPORT),
            expect(ThreadScenarios.C_STOP_CONT_SOURCE, Policies.REPERSIST_ON_INVALIDATE,
                    "the second cont brings back the stale copy", NO_UNDER_REPORT),
            expect(ThreadScenarios.C_STOP_CONT_SOURCE, Policies.DROP_ON_INACTIVATE, "the source kept nothing"),
            expect(ThreadScenarios.C_STOP_CONT_SOURCE, Policies.CANARY_DROP, "the in-use canary drops a"),
            expect(ThreadScenarios.C_STOP_CONT_SOURCE, Policies.CANARY_MERGE, "the in-use canary marks a dirty"),
            expect(ThreadScenarios.C_STOP_CONT_SOURCE, Policies.QEMU_10_0,
                    "the second cont brings back the stale copy", NO_UNDER_REPORT));

    @TestFactory
    Stream<DynamicTest> eachPolicyGivesItsVerdictOnEachThreadCase() {
        return TABLE.toJavaStream().map(e -> DynamicTest.dynamicTest(e.sentence(), () -> {
            Spec spec = new Spec(e.policy(), GEOMETRY);
            ScenarioRun run = ScenarioRun.of(e.scenario(), spec, World.initial(GEOMETRY));
            assertThat(run.violated().toJavaSet()).as(e.sentence()).isEqualTo(e.violated().toJavaSet());
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyThreadCaseIsCoveredUnderAllSixPoliciesOfTheThread() {
        return ThreadScenarios.ALL.toJavaStream().map(s -> DynamicTest.dynamicTest(s.id(), () ->
                assertThat(TABLE.filter(e -> e.scenario() == s).map(e -> e.policy().name()).toJavaSet())
                        .containsExactlyInAnyOrder(THE_THREADS_POLICIES.map(Policy::name).toJavaArray(String[]::new))));
    }

    /** The policies the thread is about; each has a row for every case. */
    static final io.vavr.collection.List<Policy> THE_THREADS_POLICIES = io.vavr.collection.List.of(Policies.QEMU_2_12,
            Policies.REPERSIST_ON_INVALIDATE, Policies.DROP_ON_INACTIVATE, Policies.CANARY_DROP, Policies.CANARY_MERGE,
            Policies.QEMU_10_0);

    /**
     * The thread's cases never use what QEMU 10.0 changed (blockdev-set-active, a target that does not autostart, a
     * write to an inactive node), so QEMU_7_2 goes through each of them exactly as QEMU_10_0: the same outcome at
     * every step and the same invariants broken.
     */
    @TestFactory
    Stream<DynamicTest> everyThreadCaseEndsTheSameOnQemu72AndQemu10() {
        return ThreadScenarios.ALL.toJavaStream().map(s -> DynamicTest.dynamicTest(s.id(), () -> {
            ScenarioRun on72 = ScenarioRun.of(s, new Spec(Policies.QEMU_7_2, GEOMETRY), World.initial(GEOMETRY));
            ScenarioRun on10 = ScenarioRun.of(s, new Spec(Policies.QEMU_10_0, GEOMETRY), World.initial(GEOMETRY));
            assertThat(on72.outcomes().map(Outcome::error)).isEqualTo(on10.outcomes().map(Outcome::error));
            assertThat(on72.worlds()).isEqualTo(on10.worlds());
            assertThat(on72.violated()).isEqualTo(on10.violated());
        }));
    }

    @org.junit.jupiter.api.Test
    void theThreadsPoliciesAreRegistered() {
        assertThat(Policies.ALL.toJavaList()).containsAll(THE_THREADS_POLICIES.toJavaList());
    }

    @org.junit.jupiter.api.Test
    void upstreamCannotContOnTheSourceAfterTheTargetStoredTheSameBitmap() {
        Spec spec = new Spec(Policies.QEMU_10_0, GEOMETRY);
        ScenarioRun run = ScenarioRun.of(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, spec, World.initial(GEOMETRY));
        assertThat(run.outcomes().get(10)).isInstanceOf(Outcome.Failed.class);
        assertThat(run.outcomes().get(10).error().get())
                .isEqualTo("Could not reopen qcow2 layer: Bitmap already exists: a");
    }

    @org.junit.jupiter.api.Test
    void aFailedContLeavesTheSourceWithoutItsDisk() {
        Spec spec = new Spec(Policies.QEMU_10_0, GEOMETRY);
        ScenarioRun run = ScenarioRun.of(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, spec, World.initial(GEOMETRY));
        World afterCont = run.worlds().get(10);
        assertThat(afterCont.source().block()).isEqualTo(BlockState.EJECTED);
        assertThat(afterCont.source().run()).isEqualTo(RunState.POSTMIGRATE);
        assertThat(Invariant.NO_LOST_DISK.violation(afterCont, GEOMETRY).get()).startsWith("the source QEMU lost its disk");
        assertThat(run.outcomes().get(11)).isEqualTo(Outcome.rejected(QemuErrors.NO_MEDIUM_WRITE));
    }
}
