package dev.bitmig.model;

import dev.bitmig.model.scenario.ThreadScenarios;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.Action.FailPoint.BEFORE_HANDOVER;
import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** block.c bdrv_activate and bdrv_inactivate, and the run state commands around them (qmp_cont, qmp_stop). */
class ActivationTest {

    @Test
    void activatingAnActiveNodeDoesNothingSoSkipStoreStays() {
        // bdrv_activate returns early without BDRV_O_INACTIVE: R6's reset of skip_store does not run.
        Story s = Story.of(Policies.QEMU_10_0, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE)
                .then(new Action.MigrateStart(true), new Action.MigrateFail(BEFORE_HANDOVER));
        assertThat(s.bitmap(SOURCE, "a").skipStore()).isTrue();
        World before = s.world();
        s.then(new Action.Activate(SOURCE));
        assertThat(s.world()).isEqualTo(before);
        assertThat(s.bitmap(SOURCE, "a").skipStore()).isTrue();
    }

    @Test
    void contActivatesAnInactiveNodeAndReloadsItsBitmapsBeforeTheVmRuns() {
        // qmp_cont -> bdrv_activate_all, then vm_start
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "p", 1, true, false),
                new Action.GuestWrite(SOURCE, 2, 1), new Action.Stop(SOURCE), new Action.Inactivate(SOURCE),
                new Action.Cont(SOURCE));
        assertThat(s.source().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.source().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.world().image().owner().toJavaOptional()).contains(SOURCE);
        assertThat(s.bitmap(SOURCE, "p").granules().toJavaList()).containsExactly(2);
        assertThat(s.entry("p").inUse()).isTrue();
    }

    @Test
    void aBackupNeedsAnActiveNode() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "t", 1, false, false),
                new Action.Stop(SOURCE), new Action.Inactivate(SOURCE));
        assertThat(s.refuses(new Action.Backup(SOURCE, "t"))).isEqualTo("bitmig: the node is inactive");
    }

    @Test
    void anIncrementalBackupCopiesWhatTheBitmapReportsThenClearsItAndItsTruth() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "b", 1, true, false),
                new Action.GuestWrite(SOURCE, 1, 2), new Action.Backup(SOURCE, "b"));
        Bitmap b = s.bitmap(SOURCE, "b");
        assertThat(b.granules().isEmpty()).isTrue();
        assertThat(s.world().ghost().lineage(b.lineage()).truth().isEmpty()).isTrue();
        assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).isTrue();
    }
}
