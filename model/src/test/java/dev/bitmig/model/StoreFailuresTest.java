package dev.bitmig.model;

import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A volume that runs out of space (Action.VolumeFull): every write to the image fails with ENOSPC, and with it the
 * bitmaps' store at inactivation and quit and the IN_USE update of an open or an activation.
 */
class StoreFailuresTest {
    private static final Action FULL = new Action.VolumeFull(true);
    private static final Action FREED = new Action.VolumeFull(false);

    /** A source with persistent bitmap a, stored once and loaded again: its entry is IN_USE. */
    private static Story loadedBitmap(Policy p) {
        return Story.of(p, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false), new Action.GuestWrite(SOURCE, 0, 1),
                new Action.Quit(SOURCE), new Action.Launch(SOURCE, false), new Action.GuestWrite(SOURCE, 1, 1));
    }

    @Test
    void aQuitOnAFullVolumeLosesTheBitmapsAndSaysSo() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false), FULL,
                new Action.Quit(SOURCE));
        assertThat(s.world().image().directory().containsKey("a")).isFalse();
        assertThat(s.world().losses().map(Loss::cause).toJavaList()).containsExactly(Cause.STORE_FAILED);
        assertThat(Invariant.NO_SILENT_LOSS.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void anEntryThatAFailedStoreLeftInUseLoadsInconsistentOnceTheVolumeHasSpace() {
        Story s = loadedBitmap(Policies.QEMU_10_0).then(FULL, new Action.Quit(SOURCE));
        assertThat(s.entry("a").inUse()).isTrue();
        s.then(FREED, new Action.Launch(SOURCE, false));
        assertThat(s.bitmap(SOURCE, "a").inconsistent()).isTrue();
    }

    @Test
    void anOpenOnAFullVolumeCannotMarkItsEntriesInUse() {
        Story s = Story.of(Policies.QEMU_7_2, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.Quit(SOURCE), FULL);
        assertThat(s.refuses(new Action.Launch(SOURCE, false))).isEqualTo(QemuErrors.DIRECTORY_NO_SPACE);
        // A read-only open writes nothing.
        s.then(new Action.Launch(SOURCE, false, true));
        assertThat(s.bitmap(SOURCE, "a").readonly()).isTrue();
    }

    @Test
    void aGuestWriteOnAFullVolumeFailsAndTheBitmapStillRecordsIt() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false), FULL);
        assertThat(s.fails(new Action.GuestWrite(SOURCE, 2, 1))).isEqualTo(QemuErrors.WRITE_NO_SPACE);
        assertThat(s.bitmap(SOURCE, "a").granules().toJavaList()).containsExactly(2);
        assertThat(s.world().image().lastWrite().get(2)).isZero();
        assertThat(s.source().unflushed()).isTrue();
        assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void aHandoverOnAFullVolumeFailsTheMigrationAndTheSourceRunsOnWithItsBitmap() {
        Story s = loadedBitmap(Policies.QEMU_7_2).then(new Action.Launch(TARGET, true), FULL,
                new Action.MigrateStart(false), new Action.MigrateComplete());
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error().toJavaOptional())
                .contains(QemuErrors.lostOnInactivation(QemuErrors.cannotWriteBitmap("a")));
        assertThat(s.source().isActive()).isTrue();
        assertThat(s.source().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.bitmap(SOURCE, "a").granules().toJavaList()).containsExactly(0, 1);
        assertThat(s.target()).isEqualTo(Node.OFF);
        // Once the volume has space, the same migration goes through.
        s.then(FREED, new Action.Launch(TARGET, true), new Action.MigrateStart(false), new Action.MigrateComplete());
        assertThat(s.world().migration().phase()).isEqualTo(Phase.COMPLETED);
    }

    @Test
    void withTheDirtyBitmapsCapabilityTheHandoverStoresNothingAndTheMigrationCompletes() {
        Story s = loadedBitmap(Policies.QEMU_10_0).then(new Action.Launch(TARGET, true), FULL,
                new Action.MigrateStart(true), new Action.MigrateComplete());
        assertThat(s.world().migration().phase()).isEqualTo(Phase.COMPLETED);
        assertThat(s.bitmap(TARGET, "a").granules().toJavaList()).containsExactly(0, 1);
    }

    @Test
    void aWriteThatHadToAllocateOnAFullVolumeFailsTheNextHandoverEvenWithoutBitmaps() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Launch(TARGET, true), FULL);
        s.fails(new Action.GuestWrite(SOURCE, 3, 1));
        s.then(new Action.MigrateStart(false), new Action.MigrateComplete());
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error().toJavaOptional()).contains(QemuErrors.FLUSH_NO_SPACE);
    }

    @Test
    void blockdevSetActiveOnAFullVolumeAnswersWithTheFlushesErrorAndKeepsTheNode() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false), FULL);
        assertThat(s.fails(new Action.Inactivate(SOURCE))).isEqualTo(QemuErrors.INACTIVATE_NO_SPACE);
        assertThat(s.source().isActive()).isTrue();
        assertThat(s.source().bitmaps().containsKey("a")).isTrue();
        s.then(FREED, new Action.Inactivate(SOURCE));
        assertThat(s.entry("a").inUse()).isFalse();
    }

    @Test
    void anActivationOnAFullVolumeEjectsTheNode() {
        Story s = loadedBitmap(Policies.QEMU_10_0).then(new Action.Stop(SOURCE), new Action.Inactivate(SOURCE), FULL);
        assertThat(s.fails(new Action.Activate(SOURCE)))
                .isEqualTo(QemuErrors.couldNotReopen(QemuErrors.DIRECTORY_NO_SPACE));
        assertThat(s.source().block()).isEqualTo(BlockState.EJECTED);
    }

    @Test
    void removingAStoredBitmapOnAFullVolumeFailsAndTheBitmapStays() {
        Story s = loadedBitmap(Policies.QEMU_10_0).then(FULL);
        assertThat(s.fails(new Action.BitmapRemove(SOURCE, "a"))).isEqualTo(QemuErrors.REMOVE_NO_SPACE);
        assertThat(s.source().bitmaps().containsKey("a")).isTrue();
        assertThat(s.entry("a").inUse()).isTrue();
    }
}
