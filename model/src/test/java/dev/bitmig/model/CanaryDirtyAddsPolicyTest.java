package dev.bitmig.model;

import dev.bitmig.model.scenario.ScenarioRun;
import dev.bitmig.model.scenario.ThreadScenarios;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** CANARY_DIRTY_ADDS closes the gap it was written for, and behaves as CANARY_MERGE in every case of the thread. */
class CanaryDirtyAddsPolicyTest {
    private static final Policy DIRTY_ADDS = Policy.byName("CANARY_DIRTY_ADDS").get();

    /** Migration, handover, the user adds 'x' on the incoming QEMU, a tool writes cluster 0, completion. */
    private static Story addOnTheIncomingQemuThenAToolWrites(Policy p) {
        Geometry g = new Geometry(4);
        return Story.from(p, 4, World.initialWithIncomingTarget(g)).then(new Action.MigrateStart(true),
                new Action.Inactivate(SOURCE), new Action.BitmapAdd(TARGET, "x", 1, true, false),
                new Action.ForeignWrite(Action.Writer.AWARE, 0, 1), new Action.MigrateComplete());
    }

    @Test
    void aBitmapAddedOnTheIncomingQemuMissesAToolsWriteUnderCanaryMerge() {
        Story s = addOnTheIncomingQemuThenAToolWrites(Policies.CANARY_MERGE);
        assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).isFalse();
    }

    @Test
    void aBitmapAddedOnTheIncomingQemuIsEntirelyDirtyWhenItActivates() {
        Story s = addOnTheIncomingQemuThenAToolWrites(DIRTY_ADDS);
        assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).isTrue();
        assertThat(s.bitmap(TARGET, "x").granules().toJavaList()).containsExactly(0, 1, 2, 3);
    }

    @TestFactory
    Stream<DynamicTest> everyThreadCaseEndsAsUnderCanaryMerge() {
        Geometry g = new Geometry(ThreadScenarios.CLUSTERS);
        return ThreadScenarios.ALL.toJavaStream().map(s -> DynamicTest.dynamicTest(s.id(), () -> {
            ScenarioRun merge = ScenarioRun.of(s, new Spec(Policies.CANARY_MERGE, g), World.initial(g));
            ScenarioRun dirty = ScenarioRun.of(s, new Spec(DIRTY_ADDS, g), World.initial(g));
            assertThat(dirty.violated()).as(s.story()).isEqualTo(merge.violated());
            assertThat(dirty.outcomes().map(o -> o instanceof Outcome.Rejected)).as(s.story())
                    .isEqualTo(merge.outcomes().map(o -> o instanceof Outcome.Rejected));
        }));
    }
}
