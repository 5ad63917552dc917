package dev.bitmig.model;

import org.junit.jupiter.api.Test;

import static dev.bitmig.model.Action.ImgOp.CLEAR;
import static dev.bitmig.model.Action.ImgOp.DISABLE;
import static dev.bitmig.model.Action.ImgOp.ENABLE;
import static dev.bitmig.model.Action.ImgOp.REMOVE;
import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * qemu-img's offline edits (qemu-img.c img_bitmap, img_check), each as QEMU 7.2.22 and 10.0.2 answered them on a
 * scratch image: the lock, the in-use entries a crash leaves, and the entries the edits leave behind.
 */
class OfflineToolsTest {
    private static final int CLUSTERS = 4;

    /** Persistent bitmap 'a' with cluster 0 written, stored by a clean quit: no QEMU holds the image. */
    private static Story stored() {
        return Story.of(Policies.QEMU_7_2, CLUSTERS).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.GuestWrite(SOURCE, 0, 1), new Action.Quit(SOURCE));
    }

    /** The same bitmap left IN_USE by kill -9. */
    private static Story crashed() {
        return Story.of(Policies.QEMU_7_2, CLUSTERS).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.GuestWrite(SOURCE, 0, 1), new Action.Quit(SOURCE), new Action.Launch(SOURCE, false),
                new Action.Crash(SOURCE));
    }

    private static io.vavr.collection.SortedSet<Integer> truth(Story s, String name) {
        return s.world().ghost().lineage(s.entry(name).lineage()).truth();
    }

    @Test
    void qemuImgBitmapIsRefusedWhileAQemuHoldsTheImage() {
        Story s = Story.of(Policies.QEMU_7_2, CLUSTERS).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false));
        assertThat(s.refuses(Action.ImgBitmap.of(CLEAR, "a"))).isEqualTo("Failed to get \"write\" lock");
        assertThat(s.refuses(Action.ImgBitmap.add("b", 1, false))).isEqualTo("Failed to get \"write\" lock");
        assertThat(s.refuses(new Action.ImgCheck())).isEqualTo("Failed to get \"write\" lock");
    }

    /** Seen on QEMU 7.2.22 and 10.0.2: the failed reactivation left the file node active, with its lock. */
    @Test
    void qemuImgIsRefusedByAQemuWhoseNodeAFailedReactivationEjected() {
        Story s = Story.of(Policies.QEMU_7_2, CLUSTERS).then(new Action.Launch(TARGET, true),
                new Action.BitmapAdd(SOURCE, "a", 1, true, false), new Action.MigrateStart(true),
                new Action.MigrateComplete(), new Action.Quit(TARGET));
        Outcome cont = new Spec(Policies.QEMU_7_2, s.geometry()).apply(s.world(), new Action.Cont(SOURCE));
        World ejected = cont.successor().get();
        assertThat(ejected.source().block()).isEqualTo(BlockState.EJECTED);
        Story after = Story.from(Policies.QEMU_7_2, CLUSTERS, ejected);
        assertThat(after.refuses(Action.ImgBitmap.add("b", 1, false))).isEqualTo("Failed to get \"write\" lock");
        assertThat(after.refuses(new Action.ImgCheck())).isEqualTo("Failed to get \"write\" lock");
    }

    @Test
    void qemuImgBitmapWorksBesideAnIncomingQemuThatHoldsNoLock() {
        Story s = stored().then(new Action.Launch(TARGET, true), Action.ImgBitmap.add("b", 2, true));
        assertThat(s.entry("b").granularity()).isEqualTo(2);
        assertThat(s.entry("b").auto()).isFalse();
        assertThat(s.entry("b").inUse()).isFalse();
    }

    @Test
    void addWritesAnEmptyEntryThatRecordsOnlyWhenEnabled() {
        Story s = stored().then(Action.ImgBitmap.add("b", 1, false));
        assertThat(s.entry("b").auto()).isTrue();
        assertThat(s.entry("b").granules()).isEmpty();
        assertThat(s.refuses(Action.ImgBitmap.add("b", 1, false)))
                .isEqualTo("Operation add on bitmap b failed: Bitmap already exists: b");
        assertThat(s.refuses(Action.ImgBitmap.add("c", 3, false)))
                .isEqualTo("Operation add on bitmap c failed: Granularity must be power of 2 and at least 512");
    }

    @Test
    void clearEmptiesTheEntryAndItsTruthStartsAgain() {
        Story s = stored().then(Action.ImgBitmap.of(CLEAR, "a"));
        assertThat(s.entry("a").granules()).isEmpty();
        assertThat(truth(s, "a")).isEmpty();
        assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void disableAndEnableSetTheAutoFlagAndWhetherTheTruthGrows() {
        Story s = stored().then(Action.ImgBitmap.of(DISABLE, "a"));
        assertThat(s.entry("a").auto()).isFalse();
        s.then(new Action.ForeignWrite(Action.Writer.AWARE, 2, 1));
        assertThat(truth(s, "a")).containsExactly(0);
        s.then(Action.ImgBitmap.of(ENABLE, "a"), new Action.ForeignWrite(Action.Writer.AWARE, 3, 1));
        assertThat(s.entry("a").auto()).isTrue();
        assertThat(s.entry("a").granules()).containsExactly(0, 3);
        assertThat(truth(s, "a")).containsExactly(0, 3);
    }

    @Test
    void mergeAddsTheSourceBitsAtTheTargetsGranularity() {
        Story s = stored().then(Action.ImgBitmap.add("b", 2, false), new Action.ForeignWrite(Action.Writer.AWARE, 3, 1),
                Action.ImgBitmap.merge("a", "b"));
        assertThat(s.entry("a").granules()).containsExactly(0, 2, 3);
        assertThat(s.refuses(Action.ImgBitmap.merge("a", "x")))
                .isEqualTo("Operation merge on bitmap a failed: Dirty bitmap 'x' not found");
    }

    @Test
    void everyEditButRemoveRefusesAnInUseEntryAsInconsistent() {
        Story s = crashed();
        String inconsistent = "Bitmap 'a' is inconsistent and cannot be used";
        assertThat(s.refuses(Action.ImgBitmap.of(CLEAR, "a"))).isEqualTo("Operation clear on bitmap a failed: " + inconsistent);
        assertThat(s.refuses(Action.ImgBitmap.of(ENABLE, "a"))).isEqualTo("Operation enable on bitmap a failed: " + inconsistent);
        assertThat(s.refuses(Action.ImgBitmap.of(DISABLE, "a"))).isEqualTo("Operation disable on bitmap a failed: " + inconsistent);
        assertThat(s.refuses(Action.ImgBitmap.add("a", 1, false)))
                .isEqualTo("Operation add on bitmap a failed: Bitmap already exists: a");
        s.then(Action.ImgBitmap.add("b", 1, false));
        assertThat(s.refuses(Action.ImgBitmap.merge("b", "a"))).isEqualTo("Operation merge on bitmap b failed: " + inconsistent);
        assertThat(s.refuses(Action.ImgBitmap.merge("a", "b"))).isEqualTo("Operation merge on bitmap a failed: " + inconsistent);
        s.then(Action.ImgBitmap.of(REMOVE, "a"));
        assertThat(s.world().image().directory().containsKey("a")).isFalse();
    }

    @Test
    void mergeLooksUpTheSourceBeforeItChecksTheTarget() {
        Story s = crashed();
        assertThat(s.refuses(Action.ImgBitmap.merge("a", "x")))
                .isEqualTo("Operation merge on bitmap a failed: Dirty bitmap 'x' not found");
    }

    @Test
    void checkRepairLeavesAnInUseBitmapInUse() {
        Story s = crashed().then(new Action.ImgCheck());
        assertThat(s.entry("a").inUse()).isTrue();
        s.then(new Action.Launch(SOURCE, false));
        assertThat(s.bitmap(SOURCE, "a").inconsistent()).isTrue();
    }

    @Test
    void aReadWriteOpenDropsEveryEntryOnceAnUnawareToolClearedTheAutoclearBit() {
        Story s = stored().then(new Action.ForeignWrite(Action.Writer.UNAWARE, 1, 1));
        assertThat(s.world().image().directory()).isNotEmpty();
        s.then(new Action.ImgCheck());
        assertThat(s.world().image().directory()).isEmpty();
        Story t = stored().then(new Action.ForeignWrite(Action.Writer.UNAWARE, 1, 1));
        Outcome o = new Spec(Policies.QEMU_7_2, t.geometry()).apply(t.world(), Action.ImgBitmap.of(CLEAR, "a"));
        assertThat(o).isInstanceOf(Outcome.Failed.class);
        assertThat(o.error().get()).isEqualTo("Operation clear on bitmap a failed: Dirty bitmap 'a' not found");
        assertThat(o.successor().get().image().directory()).isEmpty();
    }

    @Test
    void removingTheLastCopyIsALossTheUserAskedFor() {
        Story s = stored().then(Action.ImgBitmap.of(REMOVE, "a"));
        assertThat(s.world().losses().map(Loss::cause).toJavaList()).containsExactly(Cause.REMOVED);
        assertThat(Invariant.NO_SILENT_LOSS.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void clearingTheImagesCopyForksItsLineageAndLeavesTheMigratedSourcesCopyItsTruth() {
        Story s = Story.of(Policies.QEMU_7_2, CLUSTERS).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.GuestWrite(SOURCE, 0, 1), new Action.Launch(TARGET, true), new Action.MigrateStart(true),
                new Action.MigrateComplete(), new Action.Quit(TARGET));
        assertThat(s.entry("a").lineage()).isEqualTo(s.bitmap(SOURCE, "a").lineage());
        s.then(Action.ImgBitmap.of(CLEAR, "a"));
        assertThat(s.entry("a").granules()).isEmpty();
        assertThat(truth(s, "a")).isEmpty();
        assertThat(s.world().ghost().lineage(s.bitmap(SOURCE, "a").lineage()).truth()).containsExactly(0);
    }

    @Test
    void anOperationTakesOnlyItsOwnArguments() {
        assertThatThrownBy(() -> new Action.ImgBitmap(REMOVE, "a", 1, false, ""))
                .hasMessage("granularity and disabled belong to --add, not to --remove");
        assertThatThrownBy(() -> new Action.ImgBitmap(Action.ImgOp.MERGE, "a", 0, false, ""))
                .hasMessage("--merge needs a source bitmap");
        assertThatThrownBy(() -> new Action.ImgBitmap(CLEAR, "a", 0, false, "b"))
                .hasMessage("a source bitmap belongs to --merge, not to --clear");
    }
}
