package dev.bitmig.model;

import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * qemu-img convert --bitmaps [--skip-broken-bitmaps] IMAGE IMAGE.new, then IMAGE.new renamed over IMAGE (qemu-img.c
 * img_convert, convert_check_bitmaps, convert_copy_bitmaps): the image is replaced by its converted copy.
 */
class ImgConvertTest {
    private static final int CLUSTERS = 4;
    private static final Action CONVERT = new Action.ImgConvert(false);
    private static final Action CONVERT_SKIPPING = new Action.ImgConvert(true);

    /** Persistent 'a' with cluster 0 written, stored by a clean quit, and a disabled 'b' at granularity 2 beside it. */
    private static Story stored() {
        return Story.of(Policies.QEMU_7_2, CLUSTERS).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.GuestWrite(SOURCE, 0, 1), new Action.Quit(SOURCE), Action.ImgBitmap.add("b", 2, true));
    }

    /** 'a' left IN_USE by kill -9, and a consistent 'b' that qemu-img added afterwards. */
    private static Story crashed() {
        return Story.of(Policies.QEMU_7_2, CLUSTERS).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.GuestWrite(SOURCE, 0, 1), new Action.Quit(SOURCE), new Action.Launch(SOURCE, false),
                new Action.Crash(SOURCE), Action.ImgBitmap.add("b", 1, false));
    }

    @Test
    void convertIsRefusedWhileAnyQemuHasTheImageOpenEvenOneThatHoldsNoLock() {
        Story running = Story.of(Policies.QEMU_7_2, CLUSTERS);
        assertThat(running.refuses(CONVERT)).isEqualTo(QemuErrors.CONVERT_WHILE_OPEN);
        Story incoming = stored().then(new Action.Launch(TARGET, true));
        assertThat(incoming.target().holdsLocks()).isFalse();
        assertThat(incoming.refuses(CONVERT_SKIPPING)).isEqualTo(QemuErrors.CONVERT_WHILE_OPEN);
    }

    @Test
    void convertCopiesEveryConsistentBitmapWithItsBits() {
        Story s = stored().then(new Action.ForeignWrite(Action.Writer.AWARE, 2, 1), Action.ImgBitmap.of(Action.ImgOp.ENABLE, "b"),
                new Action.ForeignWrite(Action.Writer.AWARE, 3, 1), Action.ImgBitmap.of(Action.ImgOp.DISABLE, "b"));
        Image before = s.world().image();
        assertThat(before.directory().get("a").get().granules()).isNotEmpty();
        assertThat(before.directory().get("b").get().granules()).isNotEmpty();
        s.then(CONVERT);
        // Granularity, bits, AUTO and lineage of each entry, IN_USE clear, autoclear set; the data as it was.
        assertThat(s.world().image().directory()).isEqualTo(before.directory());
        assertThat(s.world().image().autoclear()).isTrue();
        assertThat(s.world().image().lastWrite()).isEqualTo(before.lastWrite());
        assertThat(s.world().losses()).isEmpty();
        assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).isTrue();
    }

    /** In the model's world, which has no files, a copy of an image whose bitmaps are all consistent is that image. */
    @Test
    void convertOfAnImageWithOnlyConsistentBitmapsIsTheVeryWorldItWasGiven() {
        World w = stored().world();
        assertThat(w.losses()).isEmpty();
        assertThat(new Spec(Policies.QEMU_7_2, new Geometry(CLUSTERS)).apply(w, CONVERT).successor().get()).isSameAs(w);
    }

    @Test
    void aBitmapCopiedByConvertLoadsWithItsBitsAndKeepsRecording() {
        Story s = stored().then(CONVERT, new Action.Launch(SOURCE, false), new Action.GuestWrite(SOURCE, 3, 1));
        assertThat(s.bitmap(SOURCE, "a").inconsistent()).isFalse();
        assertThat(s.bitmap(SOURCE, "a").reported()).containsExactly(0, 3);
        assertThat(s.bitmap(SOURCE, "b").enabled()).isFalse();
        assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void convertWithoutSkipBrokenRefusesAnInconsistentBitmap() {
        Story s = crashed();
        Image before = s.world().image();
        assertThat(s.refuses(CONVERT)).isEqualTo("Cannot copy inconsistent bitmap 'a'");
        assertThat(s.world().image()).isEqualTo(before);
    }

    @Test
    void convertNamesTheInconsistentBitmapQemuLoadedLast() {
        Story s = Story.of(Policies.QEMU_7_2, CLUSTERS).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.BitmapAdd(SOURCE, "b", 1, true, false), new Action.Quit(SOURCE),
                new Action.Launch(SOURCE, false), new Action.Crash(SOURCE));
        assertThat(s.entry("a").inUse()).isTrue();
        assertThat(s.entry("b").inUse()).isTrue();
        assertThat(s.refuses(CONVERT)).isEqualTo("Cannot copy inconsistent bitmap 'b'");
    }

    /** The warning tells the user; the bitmap was no longer available since the crash, which was the loss. */
    @Test
    void convertWithSkipBrokenLeavesEachInconsistentBitmapBehindAndKeepsTheRest() {
        Story s = crashed();
        StoredBitmap b = s.entry("b");
        assertThat(Spec.available(s.world())).containsExactly(s.world().ghost().family(b.lineage()));
        s.then(CONVERT_SKIPPING);
        assertThat(s.world().image().directory().keySet()).containsExactly("b");
        assertThat(s.entry("b")).isEqualTo(b);
        assertThat(s.world().losses()).isEmpty();
        assertThat(Invariant.NO_SILENT_LOSS.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void convertWithSkipBrokenOfAnImageWithOnlyInconsistentBitmapsWritesACopyWithoutTheExtension() {
        Story s = crashed().then(Action.ImgBitmap.of(Action.ImgOp.REMOVE, "b"), CONVERT_SKIPPING);
        assertThat(s.world().image().directory()).isEmpty();
        assertThat(s.world().image().autoclear()).isFalse();
    }

    /** R12 on a read-only open: nothing is loaded, so nothing is inconsistent either, and the copy has no bitmap. */
    @Test
    void convertAfterAnUnawareWriterCopiesNoBitmapAtAll() {
        Story s = stored().then(new Action.ForeignWrite(Action.Writer.UNAWARE, 1, 1));
        assertThat(s.world().image().directory()).isNotEmpty();
        s.then(CONVERT);
        assertThat(s.world().image().directory()).isEmpty();
        assertThat(s.world().image().autoclear()).isFalse();
        assertThat(s.world().losses()).isEmpty();
    }
}
