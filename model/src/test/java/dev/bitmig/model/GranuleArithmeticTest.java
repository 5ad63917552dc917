package dev.bitmig.model;

import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** util/hbitmap.c granule arithmetic, bdrv_set_dirty with successors, and the image's write clock. */
class GranuleArithmeticTest {
    private static final Geometry G8 = new Geometry(8);
    private static final Geometry G10 = new Geometry(10);

    @Test
    void aDiskHasAtLeastOneCluster() {
        assertThatThrownBy(() -> new Geometry(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a disk has at least one cluster, got 0");
        assertThat(new Geometry(1).clusters()).isEqualTo(1);
    }

    @Test
    void aBitmapHasSizeOverGranularityGranulesRoundedUp() {
        assertThat(G8.granules(4)).isEqualTo(2);
        assertThat(G10.granules(4)).isEqualTo(3);
        assertThat(G8.granules(1)).isEqualTo(8);
    }

    @Test
    void aWrittenRangeSetsEveryGranuleItTouches() {
        // hbitmap_set rounds [first, first+count) outward to whole granules
        assertThat(Granules.covering(3, 2, 4).toJavaList()).containsExactly(0, 1);
        assertThat(Granules.covering(4, 4, 4).toJavaList()).containsExactly(1);
        assertThat(Granules.covering(7, 3, 2).toJavaList()).containsExactly(3, 4);
        assertThat(Granules.covering(5, 0, 4).isEmpty()).isTrue();
    }

    @Test
    void aSetGranuleReportsEachClusterItCoversUpToTheEndOfTheDisk() {
        assertThat(Granules.clusters(TreeSet.of(1), 4, G8).toJavaList()).containsExactly(4, 5, 6, 7);
        assertThat(Granules.clusters(TreeSet.of(2), 4, G10).toJavaList()).containsExactly(8, 9);
    }

    @Test
    void mergeAcrossGranularitiesRoundsOutward() {
        // bdrv_merge_dirty_bitmap accepts different granularities
        assertThat(Granules.regrain(TreeSet.of(1), 4, 1, G8).toJavaList()).containsExactly(4, 5, 6, 7);
        assertThat(Granules.regrain(TreeSet.of(5), 1, 4, G8).toJavaList()).containsExactly(1);
        assertThat(Granules.regrain(TreeSet.of(3), 2, 2, G8).toJavaList()).containsExactly(3);
    }

    @Test
    void anEnabledSuccessorRecordsForItsDisabledParent() {
        // bdrv_set_dirty reaches the successor of a frozen bitmap; reclaim later ORs it into the parent
        Bitmap frozen = Bitmap.added(1, 1).withPersistent(true).withEnabled(false).withSuccessor(Option.some(new Successor(true, Granules.NONE)));
        Bitmap written = frozen.record(TreeSet.of(2, 3), G8);
        assertThat(written.granules().isEmpty()).isTrue();
        assertThat(written.successor().get().granules().toJavaList()).containsExactly(2, 3);
        assertThat(written.reported().toJavaList()).containsExactly(2, 3);
        assertThat(Successor.disabledEmpty().record(TreeSet.of(1))).isEqualTo(Successor.disabledEmpty());
    }

    @Test
    void aBitmapIsRecordingWhenItOrItsSuccessorIsEnabled() {
        // QAPI BlockDirtyInfo.recording
        assertThat(Bitmap.added(1, 1).recording()).isTrue();
        assertThat(Bitmap.added(1, 1).withEnabled(false).recording()).isFalse();
        Bitmap parent = Bitmap.added(1, 1).withEnabled(false);
        assertThat(parent.withSuccessor(Option.some(Successor.disabledEmpty())).recording()).isFalse();
        assertThat(parent.withSuccessor(Option.some(new Successor(true, Granules.NONE))).recording()).isTrue();
    }

    @Test
    void theImageClockCountsDataWritesAndStampsEachWrittenCluster() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.GuestWrite(SOURCE, 0, 2),
                new Action.GuestWrite(SOURCE, 1, 1));
        assertThat(s.world().image().clock()).isEqualTo(2);
        assertThat(s.world().image().lastWrite().toJavaList()).containsExactly(1, 2, 0, 0);
    }
}
