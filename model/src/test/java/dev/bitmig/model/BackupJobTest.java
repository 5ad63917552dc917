package dev.bitmig.model;

import org.junit.jupiter.api.Test;

import static dev.bitmig.model.Action.BitmapMode.ALWAYS;
import static dev.bitmig.model.Action.BitmapMode.NEVER;
import static dev.bitmig.model.Action.BitmapMode.ON_SUCCESS;
import static dev.bitmig.model.Action.Sync.BITMAP;
import static dev.bitmig.model.Action.Sync.INCREMENTAL;
import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** Backup jobs that hold a bitmap (block/backup.c, block/dirty-bitmap.c): busy, a successor, abdicate or reclaim. */
class BackupJobTest {
    private static final int CLUSTERS = 4;

    /** A persistent, enabled bitmap 'a' on the source with clusters 0 and 1 written. */
    private static Story dirty() {
        return Story.of(Policies.QEMU_10_0, CLUSTERS).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.GuestWrite(SOURCE, 0, 2));
    }

    private static Story started(Action.Sync sync, Action.BitmapMode mode) {
        return dirty().then(new Action.BackupStart(SOURCE, "a", sync, mode));
    }

    private static boolean noUnderReport(Story s) {
        return Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry());
    }

    private static io.vavr.collection.SortedSet<Integer> truth(Story s, String name) {
        return s.world().ghost().lineage(s.bitmap(SOURCE, name).lineage()).truth();
    }

    @Test
    void aBackupJobFreezesTheBitmapAndNewWritesGoToItsSuccessor() {
        Story s = started(INCREMENTAL, ON_SUCCESS).then(new Action.GuestWrite(SOURCE, 3, 1));
        Bitmap a = s.bitmap(SOURCE, "a");
        assertThat(a.busy()).isTrue();
        assertThat(a.enabled()).isFalse();
        assertThat(a.recording()).isTrue();
        assertThat(a.granules()).containsExactly(0, 1);
        assertThat(a.successor().get().granules()).containsExactly(3);
        assertThat(s.world().source().backup().get().toCopy()).containsExactly(0, 1);
        assertThat(noUnderReport(s)).isTrue();
    }

    @Test
    void aCompletedJobAbdicatesSoTheBitmapHoldsOnlyWhatChangedSinceItStarted() {
        Story s = started(INCREMENTAL, ON_SUCCESS).then(new Action.GuestWrite(SOURCE, 3, 1),
                new Action.BackupCopy(SOURCE), new Action.BackupCopy(SOURCE), new Action.BackupCopy(SOURCE));
        Bitmap a = s.bitmap(SOURCE, "a");
        assertThat(s.world().source().backup().isEmpty()).isTrue();
        assertThat(a.busy()).isFalse();
        assertThat(a.enabled()).isTrue();
        assertThat(a.persistent()).isTrue();
        assertThat(a.successor().isEmpty()).isTrue();
        assertThat(a.granules()).containsExactly(3);
        assertThat(truth(s, "a")).containsExactly(3);
        assertThat(noUnderReport(s)).isTrue();
    }

    @Test
    void aFailedOnSuccessJobReclaimsTheSuccessorAndKeepsEveryBit() {
        Story s = started(INCREMENTAL, ON_SUCCESS).then(new Action.BackupCopy(SOURCE), new Action.GuestWrite(SOURCE, 2, 1),
                new Action.BackupFail(SOURCE));
        Bitmap a = s.bitmap(SOURCE, "a");
        assertThat(a.busy()).isFalse();
        assertThat(a.enabled()).isTrue();
        assertThat(a.granules()).containsExactly(0, 1, 2);
        assertThat(truth(s, "a")).containsExactly(0, 1, 2);
        assertThat(noUnderReport(s)).isTrue();
    }

    @Test
    void aFailedAlwaysJobAbdicatesAndMergesBackWhatItDidNotCopy() {
        Story s = started(BITMAP, ALWAYS).then(new Action.BackupCopy(SOURCE), new Action.GuestWrite(SOURCE, 3, 1),
                new Action.BackupCancel(SOURCE));
        // Cluster 0 was copied; cluster 1 was not, and cluster 3 changed after the start.
        assertThat(s.bitmap(SOURCE, "a").granules()).containsExactly(1, 3);
        assertThat(truth(s, "a")).containsExactly(1, 3);
        assertThat(noUnderReport(s)).isTrue();
    }

    @Test
    void aNeverJobReclaimsEvenWhenItSucceeds() {
        Story s = started(BITMAP, NEVER).then(new Action.GuestWrite(SOURCE, 3, 1), new Action.BackupCopy(SOURCE),
                new Action.BackupCopy(SOURCE), new Action.BackupCopy(SOURCE));
        assertThat(s.bitmap(SOURCE, "a").granules()).containsExactly(0, 1, 3);
        assertThat(noUnderReport(s)).isTrue();
    }

    @Test
    void aWriteToAClusterStillToCopyIsCopiedBeforeItLands() {
        Story s = started(BITMAP, ALWAYS).then(new Action.GuestWrite(SOURCE, 1, 1));
        assertThat(s.world().source().backup().get().toCopy()).containsExactly(0);
        Story failed = s.then(new Action.BackupFail(SOURCE));
        assertThat(failed.bitmap(SOURCE, "a").granules()).containsExactly(0, 1);
        assertThat(noUnderReport(failed)).isTrue();
    }

    @Test
    void incrementalTakesOnlyOnSuccessAndTheBitmapMustExist() {
        Story s = dirty();
        assertThat(s.refuses(new Action.BackupStart(SOURCE, "a", INCREMENTAL, ALWAYS)))
                .isEqualTo("Bitmap sync mode must be 'on-success' when using sync mode 'incremental'");
        assertThat(s.refuses(new Action.BackupStart(SOURCE, "b", BITMAP, ALWAYS)))
                .isEqualTo("Bitmap 'b' could not be found");
    }

    @Test
    void whileTheJobRunsTheBitmapIsBusyForEveryCommandAndASecondJob() {
        Story s = started(INCREMENTAL, ON_SUCCESS);
        String busy = "Bitmap 'a' is currently in use by another operation and cannot be used";
        assertThat(s.refuses(new Action.BitmapClear(SOURCE, "a"))).isEqualTo(busy);
        assertThat(s.refuses(new Action.BitmapRemove(SOURCE, "a"))).isEqualTo(busy);
        assertThat(s.refuses(new Action.BitmapDisable(SOURCE, "a"))).isEqualTo(busy);
        assertThat(s.refuses(new Action.BackupStart(SOURCE, "a", BITMAP, NEVER))).isEqualTo(busy);
        Story other = s.then(new Action.BitmapAdd(SOURCE, "b", 1, false, false));
        assertThat(other.refuses(new Action.BackupStart(SOURCE, "b", BITMAP, NEVER)))
                .isEqualTo("Node 'backup-target' is busy: block device is in use by block job: backup");
        assertThat(other.refuses(new Action.MirrorStart(SOURCE, 1))).isEqualTo("Need a root block node");
        // A backup of another bitmap to another target is not refused (blockdev.c does not look at running jobs).
        other.then(new Action.Backup(SOURCE, "b"));
    }

    @Test
    void migrationSetupFailsOnTheJobsBusyBitmap() {
        Story s = started(INCREMENTAL, ON_SUCCESS).then(new Action.Launch(TARGET, true), new Action.MigrateStart(true));
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error()).contains(QemuErrors.SETUP_FAILED);
        assertThat(s.bitmap(SOURCE, "a").busy()).isTrue();
    }

    @Test
    void quitCancelsTheJobFirstSoTheStoreKeepsEveryBit() {
        Story s = started(INCREMENTAL, ON_SUCCESS).then(new Action.GuestWrite(SOURCE, 3, 1), new Action.Quit(SOURCE));
        assertThat(s.entry("a").granules()).containsExactly(0, 1, 3);
        assertThat(s.entry("a").inUse()).isFalse();
        assertThat(s.world().losses()).isEmpty();
    }

    @Test
    void aCrashDuringTheJobLeavesTheEntryInUse() {
        Story s = started(INCREMENTAL, ON_SUCCESS).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false),
                new Action.BackupStart(SOURCE, "a", INCREMENTAL, ON_SUCCESS), new Action.Crash(SOURCE));
        assertThat(s.entry("a").inUse()).isTrue();
        assertThat(s.world().referencedLineages().toJavaSet()).isEqualTo(s.world().ghost().lineages().keySet().toJavaSet());
    }
}
