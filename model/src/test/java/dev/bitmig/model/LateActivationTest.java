package dev.bitmig.model;

import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * When an incoming VM's node becomes active (migration/migration.c process_incoming_migration_bh): QEMU 7.2 activates
 * it when the migration completes; QEMU 10.0 only when the VM is about to run, else at its own cont.
 */
class LateActivationTest {

    /** A running source with a persistent bitmap, a target waiting with -incoming, and the target told to stay stopped. */
    private static Story pausedTarget(Policy p) {
        Story s = Story.of(p, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.Launch(TARGET, true), new Action.Stop(TARGET));
        assertThat(s.target().autostart()).as("stop on an incoming VM clears autostart").isFalse();
        return s;
    }

    @Test
    void anIncomingVmAutostartsUnlessStopClearsItAndContSetsItAgain() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Launch(TARGET, true));
        assertThat(s.target().autostart()).isTrue();
        s.then(new Action.Stop(TARGET));
        assertThat(s.target().autostart()).isFalse();
        s.then(new Action.Cont(TARGET));
        assertThat(s.target().autostart()).isTrue();
        assertThat(s.target().run()).isEqualTo(RunState.INMIGRATE);
    }

    @Test
    void qemu72ActivatesAPausedTargetWhenTheMigrationCompletes() {
        Story s = pausedTarget(Policies.QEMU_7_2).then(new Action.MigrateStart(true), new Action.MigrateComplete());
        assertThat(s.target().run()).isEqualTo(RunState.PAUSED);
        assertThat(s.target().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.world().image().owner().get()).isEqualTo(TARGET);
    }

    @Test
    void qemu10KeepsAPausedTargetInactiveAndWithoutTheLockUntilItsOwnCont() {
        Story s = pausedTarget(Policies.QEMU_10_0).then(new Action.MigrateStart(true), new Action.MigrateComplete());
        assertThat(s.target().run()).isEqualTo(RunState.PAUSED);
        assertThat(s.target().block()).isEqualTo(BlockState.INACTIVE);
        assertThat(s.world().image().owner().isEmpty()).as("nobody holds the image").isTrue();
        assertThat(s.bitmap(TARGET, "a").enabled()).as("before_vm_start already enabled it").isTrue();

        s.then(new Action.Cont(TARGET));
        assertThat(s.target().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.target().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.world().image().owner().get()).isEqualTo(TARGET);
    }

    @Test
    void onQemu10TheSourceCanTakeTheImageBackWhileTheTargetWaitsForCont() {
        Story s = pausedTarget(Policies.QEMU_10_0).then(new Action.MigrateStart(true), new Action.MigrateComplete(),
                new Action.Cont(SOURCE));
        assertThat(s.source().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.world().image().owner().get()).isEqualTo(SOURCE);
        assertThat(s.refuses(new Action.Cont(TARGET))).isEqualTo(QemuErrors.WRITE_LOCK);
    }

    @Test
    void aTargetOfAPausedSourceStaysPausedOnBothReleases() {
        for (Policy p : new Policy[] {Policies.QEMU_7_2, Policies.QEMU_10_0}) {
            Story s = Story.of(p, 4).then(new Action.Launch(TARGET, true), new Action.Stop(SOURCE),
                    new Action.MigrateStart(false), new Action.MigrateComplete());
            assertThat(s.target().run()).as(p.name()).isEqualTo(RunState.PAUSED);
            assertThat(s.target().block()).as(p.name())
                    .isEqualTo(p.release().activatesOnlyToRun() ? BlockState.INACTIVE : BlockState.ACTIVE);
        }
    }

    @Test
    void aTargetThatAutostartsRunsActiveOnBothReleases() {
        for (Policy p : new Policy[] {Policies.QEMU_7_2, Policies.QEMU_10_0}) {
            Story s = Story.of(p, 4).then(new Action.Launch(TARGET, true), new Action.MigrateStart(true),
                    new Action.MigrateComplete());
            assertThat(s.target().run()).as(p.name()).isEqualTo(RunState.RUNNING);
            assertThat(s.target().block()).as(p.name()).isEqualTo(BlockState.ACTIVE);
        }
    }

    @Test
    void onQemu72ContOnAnIncomingVmActivatesItSoItIsRefusedWhileTheSourceHoldsTheImage() {
        Story s = Story.of(Policies.QEMU_7_2, 4).then(new Action.Launch(TARGET, true), new Action.Stop(TARGET));
        assertThat(s.refuses(new Action.Cont(TARGET))).isEqualTo(QemuErrors.WRITE_LOCK);
        assertThat(s.target().autostart()).as("the refused cont did not set autostart").isFalse();

        Story ten = Story.of(Policies.QEMU_10_0, 4).then(new Action.Launch(TARGET, true), new Action.Cont(TARGET));
        assertThat(ten.target().block()).as("10.0 only sets autostart").isEqualTo(BlockState.INACTIVE);
    }

    @Test
    void onQemu72ContOnAnIncomingVmLoadsTheImagesBitmapsAndKeepsTheLockFromALaterSource() {
        Story s = Story.of(Policies.QEMU_7_2, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, true),
                new Action.Launch(TARGET, true), new Action.Quit(SOURCE), new Action.Cont(TARGET));
        assertThat(s.target().run()).isEqualTo(RunState.INMIGRATE);
        assertThat(s.target().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.target().autostart()).isTrue();
        assertThat(s.target().bitmap("a").isDefined()).as("qcow2_load_dirty_bitmaps at activation").isTrue();
        assertThat(s.world().image().owner().get()).isEqualTo(TARGET);
        assertThat(s.refuses(new Action.Launch(SOURCE, false))).isEqualTo(QemuErrors.WRITE_LOCK);
    }

    @Test
    void onQemu10ContOnARunningVmActivatesTheNodeThatBlockdevSetActiveInactivated() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Inactivate(SOURCE));
        assertThat(s.source().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.source().block()).isEqualTo(BlockState.INACTIVE);
        s.then(new Action.Cont(SOURCE));
        assertThat(s.source().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.world().image().owner().get()).isEqualTo(SOURCE);
    }

    @Test
    void onQemu72AnIncomingVmThatContActivatedStoresItsBitmapsWhenItQuits() {
        Story s = Story.of(Policies.QEMU_7_2, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.Launch(TARGET, true), new Action.Quit(SOURCE), new Action.Cont(TARGET));
        assertThat(s.world().image().directory().get("a").get().inUse()).as("loaded read-write").isTrue();
        s.then(new Action.Quit(TARGET));
        assertThat(s.world().image().directory().get("a").get().inUse()).as("stored at close").isFalse();
        assertThat(s.world().image().owner().isEmpty()).isTrue();
    }
}
