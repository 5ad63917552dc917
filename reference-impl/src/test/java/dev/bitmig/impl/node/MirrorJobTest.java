package dev.bitmig.impl.node;

import dev.bitmig.impl.hbitmap.HBitmap;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The mirror job's dirty bitmap (block/mirror.c): full start, active writes aligned inward, background copies. */
class MirrorJobTest {
    private static final long C = Disk.CLUSTER;
    /** Five clusters at a granularity of two: granules 0, 1 and the partial granule 2. */
    private static final Disk DISK = new Disk(5, EnumSet.noneOf(HBitmap.Fault.class));

    private static MirrorJob fresh() {
        return MirrorJob.full(2 * C, DISK.newBits(2 * C));
    }

    private static MirrorJob faultyFresh() {
        Disk disk = new Disk(5, EnumSet.of(HBitmap.Fault.RESET_ROUNDS_OUTWARD));
        return MirrorJob.full(2 * C, disk.newBits(2 * C));
    }

    @Test
    void aFullMirrorStartsWithEveryGranuleToCopy() {
        MirrorJob job = fresh();
        assertThat(Disk.granules(job.bits())).containsExactly(0, 1, 2);
        assertThat(job.granularityBytes()).isEqualTo(2 * C);
    }

    @Test
    void anActiveWriteCleansOnlyTheGranulesItCoversWholly() {
        MirrorJob job = fresh();
        job.activeWrite(1 * C, 2 * C, false);
        assertThat(Disk.granules(job.bits())).as("clusters 1-2 straddle granules 0 and 1").containsExactly(0, 1, 2);
        job.activeWrite(2 * C, 2 * C, false);
        assertThat(Disk.granules(job.bits())).containsExactly(0, 2);
        job.activeWrite(0, 4 * C, false);
        assertThat(Disk.granules(job.bits())).containsExactly(2);
    }

    @Test
    void aWriteAtTheDiskEndLeavesThePartialLastGranuleToCopy() {
        MirrorJob job = fresh();
        job.activeWrite(4 * C, C, false);
        assertThat(Disk.granules(job.bits())).containsExactly(0, 1, 2);
        job.activeWrite(3 * C, 2 * C, false);
        assertThat(Disk.granules(job.bits())).as("cluster 2 of granule 1 is still stale").containsExactly(0, 1, 2);
    }

    @Test
    void withH11TheRawRangeIsResetAndRoundedOutward() {
        MirrorJob job = faultyFresh();
        job.activeWrite(C, C, true);
        assertThat(Disk.granules(job.bits())).as("granule 0 forgotten although cluster 0 is stale").containsExactly(1, 2);
        MirrorJob correct = fresh();
        correct.activeWrite(C, C, false);
        assertThat(Disk.granules(correct.bits())).containsExactly(0, 1, 2);
    }

    @Test
    void eachCopyTakesTheFirstGranuleLeftUntilNoneIsLeft() {
        MirrorJob job = fresh();
        job.activeWrite(0, 2 * C, false);
        assertThat(job.copyNext()).isTrue();
        assertThat(Disk.granules(job.bits())).containsExactly(2);
        assertThat(job.copyNext()).as("the partial last granule").isTrue();
        assertThat(job.bits().isEmpty()).isTrue();
        assertThat(job.copyNext()).isFalse();
    }

    @Test
    void aCopyOfTheJobIsIndependent() {
        MirrorJob job = fresh();
        MirrorJob copy = job.copy();
        assertThat(copy.granularityBytes()).isEqualTo(job.granularityBytes());
        job.copyNext();
        assertThat(Disk.granules(copy.bits())).containsExactly(0, 1, 2);
        assertThat(Disk.granules(job.bits())).containsExactly(1, 2);
    }

    /** do_sync_target_write resets nothing when the write covers no whole granule: no zero-length reset (H12's trap). */
    @Test
    void aWriteInsideOneGranuleIssuesNoZeroLengthReset() {
        Disk h12 = new Disk(5, EnumSet.of(HBitmap.Fault.ZERO_LENGTH_SET_RESET));
        MirrorJob job = MirrorJob.full(2 * C, h12.newBits(2 * C));
        job.activeWrite(C, C, false);
        assertThat(Disk.granules(job.bits())).containsExactly(0, 1, 2);
    }
}
