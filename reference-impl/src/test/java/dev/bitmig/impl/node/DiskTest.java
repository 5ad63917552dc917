package dev.bitmig.impl.node;

import dev.bitmig.impl.hbitmap.HBitmap;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The disk's geometry, QEMU's granularity check, and the granules a user reads by iteration. */
class DiskTest {

    @Test
    void theDiskKnowsItsClustersBytesAndFaults() {
        Disk d = new Disk(3, Set.of(HBitmap.Fault.ZERO_LENGTH_SET_RESET));
        assertThat(d.clusters()).isEqualTo(3);
        assertThat(d.bytes()).isEqualTo(3 * Disk.CLUSTER);
        assertThat(d.faults()).containsExactly(HBitmap.Fault.ZERO_LENGTH_SET_RESET);
        assertThat(d.newBits(Disk.CLUSTER).faults()).containsExactly(HBitmap.Fault.ZERO_LENGTH_SET_RESET);
    }

    @Test
    void granularitiesFrom512BytesTo2GibThatArePowersOfTwoAreValid() {
        // block/dirty-bitmap.c and blockdev.c: granularity must be a power of 2 in [512, 2^31].
        assertThat(Disk.validGranularity(512)).isTrue();
        assertThat(Disk.validGranularity(1L << 31)).isTrue();
        assertThat(Disk.validGranularity(Disk.CLUSTER)).isTrue();
        assertThat(Disk.validGranularity(256)).isFalse();
        assertThat(Disk.validGranularity(1L << 32)).isFalse();
        assertThat(Disk.validGranularity(768)).isFalse();
        assertThat(Disk.validGranularity(0)).isFalse();
    }

    @Test
    void aSerializedBitmapReadsBackWithTheSameBits() {
        Disk d = new Disk(200, Set.of());
        HBitmap bits = d.newBits(Disk.CLUSTER);
        bits.set(0, 1);
        bits.set(199 * Disk.CLUSTER, Disk.CLUSTER);
        byte[] data = Disk.serialize(bits);
        assertThat(data).hasSize(4 * Long.BYTES); // 200 granules in four 64-bit words
        assertThat(d.deserialize(Disk.CLUSTER, data).dirtyGranules()).containsExactly(0, 199);
    }

    @Test
    void iterationReadsTheDirtyGranulesInOrder() {
        Disk d = new Disk(4, Set.of());
        HBitmap bits = d.newBits(512);
        bits.set(0, 1);
        bits.set(513, 1);
        bits.set(3 * Disk.CLUSTER, 1);
        assertThat(Disk.granules(bits)).containsExactly(0, 1, 3 * Disk.CLUSTER / 512);
    }

    @Test
    void aStaleSummaryLevelShowsAsAMissingGranuleMarkedMinusOne() {
        // With the seeded fault the summary level still points at word 1 after it was cleared, so iteration ends
        // there while the count still says one granule (in word 3) is dirty.
        Disk d = new Disk(256, Set.of(HBitmap.Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET));
        HBitmap bits = d.newBits(512);
        bits.set(64 * 512, 512);
        bits.reset(64 * 512, 512);
        bits.set(200 * 512, 512);
        assertThat(bits.countGranules()).isEqualTo(1);
        assertThat(Disk.granules(bits)).containsExactly(-1);

        HBitmap correct = new Disk(256, Set.of()).newBits(512);
        correct.set(64 * 512, 512);
        correct.reset(64 * 512, 512);
        correct.set(200 * 512, 512);
        assertThat(Disk.granules(correct)).containsExactly(200);
    }
}
