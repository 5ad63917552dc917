package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.CraftedImage.edited;
import static dev.bitmig.impl.qcow2.CraftedImage.openAndReadAll;
import static dev.bitmig.impl.qcow2.CraftedImage.rejecting;
import static dev.bitmig.impl.qcow2.CraftedImage.resized;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Each limit the reader puts on a header field, probed on both sides: the last accepted value opens, the first
 * rejected one names the field, its offset and the value. The image is a fresh 1 GiB image with 64 KiB clusters:
 * header, refcount table, refcount block and L1 table in clusters 0 to 3.
 */
class Qcow2HeaderLimitsTest {

    static final int CS = 1 << 16;
    static final long FILE = 4L * CS;

    final byte[] fresh;

    Qcow2HeaderLimitsTest() throws Exception {
        fresh = CraftedImage.withBitmaps(1L << 30, 16);
        assertThat(fresh).hasSize((int) FILE);
    }

    @Test
    void aFreshImageHasTwoL1EntriesForOneGibibyte() {
        // qcow2.txt: one L1 entry maps cluster_size * cluster_size / 8 bytes, 512 MiB with 64 KiB clusters
        assertThat(ByteBuffer.wrap(fresh).getInt(36)).isEqualTo(2);
        assertThat(ByteBuffer.wrap(fresh).getLong(40)).isEqualTo(3L * CS);
    }

    @Test
    void aFileOf103BytesIsShorterThanAHeader() {
        rejecting(resized(fresh, 103))
                .hasMessage("header at offset 0x0: file of 103 bytes is shorter than a version 3 header (104 bytes)");
    }

    @Test
    void aFileOf104BytesPassesTheLengthCheckAndFailsOnItsHeaderLength() {
        rejecting(resized(fresh, 104))
                .hasMessage("header at offset 0x64: header_length 112 exceeds the file (104 bytes)");
    }

    @Test
    void aHeaderLengthEqualToTheFileLengthPassesAndTheRefcountTableIsThenOutside() {
        byte[] img = resized(edited(fresh, b -> b.putInt(100, 104)), 104);
        rejecting(img).hasMessage("header at offset 0x30: refcount_table_offset 0x10000 with 1 clusters lies outside"
                + " the file (104 bytes)");
    }

    @Test
    void clusterBits21IsTheLargestAccepted() throws Exception {
        assertThat(openAndReadAll(CraftedImage.withBitmaps(1L << 30, 21))).isEmpty();
        rejecting(edited(fresh, b -> b.putInt(20, 22)))
                .hasMessage("header at offset 0x14: cluster_bits 22 out of range 9..21");
    }

    @Test
    void clusterBits8IsRejected() {
        rejecting(edited(fresh, b -> b.putInt(20, 8))).hasMessage("header at offset 0x14: cluster_bits 8 out of range 9..21");
    }

    @Test
    void aDiskOfZeroBytesOpens() throws Exception {
        try (Qcow2Image img = CraftedImage.open(CraftedImage.withBitmaps(0, 16))) {
            assertThat(img.diskSize()).isZero();
        }
    }

    @Test
    void aSizeOfExactly2To62PassesTheSizeCheckAndNeedsAnL1TableLargerThanTheImageHas() {
        rejecting(edited(fresh, b -> b.putLong(24, 1L << 62)))
                .hasMessage("header at offset 0x24: l1_size 2 too small for size 4611686018427387904 (needs 8589934592)");
    }

    @Test
    void aSizeAbove2To62IsRejected() {
        rejecting(edited(fresh, b -> b.putLong(24, (1L << 62) + 1)))
                .hasMessage("header at offset 0x18: size 4611686018427387905 out of range 0..2^62");
    }

    @Test
    void aNegativeSizeIsRejectedAsUnsigned() {
        rejecting(edited(fresh, b -> b.putLong(24, -1)))
                .hasMessage("header at offset 0x18: size 18446744073709551615 out of range 0..2^62");
    }

    @Test
    void headerLength104AndHeaderLengthOfAWholeClusterOpen() throws Exception {
        assertThat(openAndReadAll(edited(fresh, b -> b.putInt(100, 104)))).isEmpty();
        assertThat(openAndReadAll(edited(fresh, b -> b.putInt(100, CS)))).isEmpty();
    }

    @Test
    void aHeaderLengthBeyondTheClusterIsRejected() {
        rejecting(edited(fresh, b -> b.putInt(100, CS + 8)))
                .hasMessage("header at offset 0x64: header_length 65544 out of range 104..65536 (cluster size)");
    }

    @Test
    void aRefcountTableOffsetOfZeroIsRejected() {
        rejecting(edited(fresh, b -> b.putLong(48, 0)))
                .hasMessage("header at offset 0x30: refcount_table_offset 0x0 not a non-zero multiple of the cluster size");
    }

    @Test
    void refcountTableClustersMustLieIn1To128() {
        // 8 MiB of refcount table at most, 128 clusters of 64 KiB
        rejecting(edited(fresh, b -> b.putInt(56, 0)))
                .hasMessage("header at offset 0x38: refcount_table_clusters 0 out of range 1..128");
        rejecting(edited(fresh, b -> b.putInt(56, 129)))
                .hasMessage("header at offset 0x38: refcount_table_clusters 129 out of range 1..128");
        rejecting(edited(fresh, b -> b.putInt(56, 128)))
                .hasMessage("header at offset 0x30: refcount_table_offset 0x10000 with 128 clusters lies outside the"
                        + " file (262144 bytes)");
    }

    @Test
    void aRefcountTableInTheLastClusterOfTheFileOpens() throws Exception {
        // a zero-size disk has header, refcount table, refcount block; swap the last two
        byte[] three = CraftedImage.withBitmaps(0, 16);
        assertThat(three).hasSize(3 * CS);
        byte[] swapped = three.clone();
        System.arraycopy(three, 2 * CS, swapped, CS, CS);
        ByteBuffer b = ByteBuffer.wrap(swapped);
        b.putLong(48, 2L * CS);
        b.put(2 * CS, new byte[CS]).putLong(2 * CS, CS);
        try (Qcow2Image img = CraftedImage.open(swapped)) {
            assertThat(img.refcountTableOffset()).isEqualTo(2L * CS);
            assertThat(img.referencedButUnallocated()).isEmpty();
            assertThat(img.allocatedButUnreferenced()).isEmpty();
        }
    }

    @Test
    void aRefcountTableJustPastTheEndOfTheFileIsRejected() {
        rejecting(edited(fresh, b -> b.putLong(48, FILE)))
                .hasMessage("header at offset 0x30: refcount_table_offset 0x40000 with 1 clusters lies outside the"
                        + " file (262144 bytes)");
    }

    @Test
    void aNegativeRefcountTableOffsetIsOutsideTheFile() {
        rejecting(edited(fresh, b -> b.putLong(48, -CS)))
                .hasMessage("header at offset 0x30: refcount_table_offset 0xffffffffffff0000 with 1 clusters lies"
                        + " outside the file (262144 bytes)");
    }

    @Test
    void anL1SizeOf32MibibytesPassesTheSizeLimitButNotTheFile() {
        rejecting(edited(fresh, b -> b.putInt(36, 4 << 20)))
                .hasMessage("header at offset 0x28: l1_table_offset 0x30000 with 4194304 entries lies outside the"
                        + " file (262144 bytes)");
        rejecting(edited(fresh, b -> b.putInt(36, (4 << 20) + 1)))
                .hasMessage("header at offset 0x24: l1_size 4194305 exceeds 4194304 entries");
    }

    @Test
    void anL1TableTooSmallForTheDiskIsRejected() {
        rejecting(edited(fresh, b -> b.putInt(36, 1)))
                .hasMessage("header at offset 0x24: l1_size 1 too small for size 1073741824 (needs 2)");
    }

    @Test
    void l1TableOffsetZeroIsRejectedWhenTheDiskNeedsAnL1Table() {
        rejecting(edited(fresh, b -> b.putLong(40, 0)))
                .hasMessage("header at offset 0x28: l1_table_offset 0x0 not a non-zero multiple of the cluster size");
    }

    @Test
    void l1TableOffsetsAtAndAbove2To62() {
        rejecting(edited(fresh, b -> b.putLong(40, 1L << 62)))
                .hasMessage("header at offset 0x28: l1_table_offset 0x4000000000000000 with 2 entries lies outside the"
                        + " file (262144 bytes)");
        rejecting(edited(fresh, b -> b.putLong(40, (1L << 62) + CS)))
                .hasMessage("header at offset 0x28: l1_table_offset 0x4000000000010000 not a non-zero multiple of the"
                        + " cluster size");
    }

    @Test
    void anL1TableJustPastTheEndOfTheFileIsRejected() {
        rejecting(edited(fresh, b -> b.putLong(40, FILE)))
                .hasMessage("header at offset 0x28: l1_table_offset 0x40000 with 2 entries lies outside the file"
                        + " (262144 bytes)");
    }

    @Test
    void aBackingFileOffsetAtTheEndOfTheHeaderClusterWithAnEmptyNameOpens() throws Exception {
        assertThat(openAndReadAll(edited(fresh, b -> b.putLong(8, CS)))).isEmpty();
    }

    @Test
    void aBackingFileOffsetBeyondTheHeaderClusterIsRejected() {
        rejecting(edited(fresh, b -> b.putLong(8, CS + 8)))
                .hasMessage("header at offset 0x8: backing_file_offset 0x10008 beyond the header cluster");
        rejecting(edited(fresh, b -> b.putLong(8, -8)))
                .hasMessage("header at offset 0x8: backing_file_offset 0xfffffffffffffff8 beyond the header cluster");
    }
}
