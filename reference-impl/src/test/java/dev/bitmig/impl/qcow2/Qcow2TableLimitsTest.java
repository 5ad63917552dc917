package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.CraftedImage.edited;
import static dev.bitmig.impl.qcow2.CraftedImage.hex;
import static dev.bitmig.impl.qcow2.CraftedImage.openAndReadAll;
import static dev.bitmig.impl.qcow2.CraftedImage.rejecting;
import static dev.bitmig.impl.qcow2.CraftedImage.resized;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * Limits on refcount table entries, bitmap tables and bitmap data clusters, probed on both sides. Structures are
 * moved to the end of the file by appending a copy, so that "ends exactly at the end of the file" can be tested.
 */
class Qcow2TableLimitsTest {

    static final int CS = 1 << 16;

    static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }

    record Two(byte[] bytes, long entry0, long entry1, long tableA, long tableB, long dataA, long refTable) {
    }

    final Two two;

    Qcow2TableLimitsTest() throws IOException {
        byte[] bytes = CraftedImage.withBitmaps(1L << 30, 16, new Qcow2Bitmap("a", 12, true, bits(3, 100)),
                new Qcow2Bitmap("b", 16, true, bits(7)));
        try (Qcow2Image img = CraftedImage.open(bytes)) {
            BitmapDirectoryEntry a = img.bitmap("a").orElseThrow();
            BitmapDirectoryEntry b = img.bitmap("b").orElseThrow();
            two = new Two(bytes, a.offset(), b.offset(), a.tableOffset(), b.tableOffset(), img.table("a")[0],
                    img.refcountTableOffset());
        }
    }

    @Test
    void theOffsetOfARefcountTableEntryIsNamed() {
        // aligned to 512 bytes but not to the 64 KiB cluster
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.refTable() + 8, 0x30200)))
                .hasMessage("refcount table entry 1 at offset " + hex(two.refTable() + 8)
                        + ": refcount block offset 0x30200 not aligned to the cluster size (or reserved bits set)");
    }

    @Test
    void aRefcountBlockJustPastTheEndOfTheFileIsRejected() {
        long end = two.bytes().length;
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.refTable(), end)))
                .hasMessage("refcount table entry 0 at offset " + hex(two.refTable()) + ": refcount block offset "
                        + hex(end) + " lies outside the file (" + end + " bytes)");
    }

    @Test
    void theOffsetOfALaterTableEntryIsNamed() throws IOException {
        // 1 GiB at 512-byte granularity: 2^21 bits, four data clusters, four table entries
        byte[] img = CraftedImage.withBitmaps(1L << 30, 16, new Qcow2Bitmap("a", 9, true, bits(1)));
        long table;
        try (Qcow2Image i = CraftedImage.open(img)) {
            table = i.bitmap("a").orElseThrow().tableOffset();
            assertThat(i.table("a")).hasSize(4);
        }
        rejecting(edited(img, b -> b.putLong((int) table + 8, 2)))
                .hasMessage("bitmap 'a' table entry 1 at offset " + hex(table + 8) + ": reserved bits 0x2 set in 0x2");
    }

    @Test
    void theAllOnesBitTogetherWithADataOffsetIsRejected() {
        // qcow2.txt: bit 0 of a bitmap table entry is only meaningful when the offset is 0
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.tableA(), two.dataA() | 1)))
                .hasMessage("bitmap 'a' table entry 0 at offset " + hex(two.tableA())
                        + ": all-ones bit set together with data offset " + hex(two.dataA()));
    }

    @Test
    void aDataClusterJustPastTheEndOfTheFileIsRejected() {
        long end = two.bytes().length;
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.tableA(), end)))
                .hasMessage("bitmap 'a' table entry 0 at offset " + hex(two.tableA()) + ": data offset " + hex(end)
                        + " lies outside the file (" + end + " bytes)");
    }

    @Test
    void aDataClusterThatIsTheLastClusterOfTheFileIsRead() throws IOException {
        long end = two.bytes().length;
        byte[] moved = resized(two.bytes(), end + CS);
        System.arraycopy(two.bytes(), (int) two.dataA(), moved, (int) end, CS);
        ByteBuffer.wrap(moved).putLong((int) two.tableA(), end);
        try (Qcow2Image img = CraftedImage.open(moved)) {
            assertThat(img.readBitmap("a").bits()).isEqualTo(bits(3, 100));
        }
    }

    @Test
    void aTableEndingExactlyAtTheEndOfTheFileIsRead() throws IOException {
        long end = two.bytes().length;
        byte[] moved = resized(two.bytes(), end + 8);
        System.arraycopy(two.bytes(), (int) two.tableB(), moved, (int) end, 8);
        ByteBuffer.wrap(moved).putLong((int) two.entry1(), end);
        try (Qcow2Image img = CraftedImage.open(moved)) {
            assertThat(img.readBitmap("b").bits()).isEqualTo(bits(7));
        }
        rejecting(resized(moved, end + 7))
                .hasMessage("bitmap directory entry 1 at offset " + hex(two.entry1()) + ": bitmap_table_offset "
                        + hex(end) + " with bitmap_table_size 1 lies outside the file (" + (end + 7) + " bytes)");
    }

    @Test
    void everyClusterOfATableOfTwoClustersIsClaimed() throws IOException {
        // 512-byte clusters, 256 MiB at 512-byte granularity: 128 table entries in two clusters
        byte[] img = CraftedImage.withBitmaps(256L << 20, 9, new Qcow2Bitmap("a", 9, true, bits(1)),
                new Qcow2Bitmap("b", 16, true, bits(1)));
        BitmapDirectoryEntry a;
        BitmapDirectoryEntry b;
        try (Qcow2Image i = CraftedImage.open(img)) {
            a = i.bitmap("a").orElseThrow();
            b = i.bitmap("b").orElseThrow();
            assertThat(a.tableSize()).isEqualTo(128);
        }
        long second = a.tableOffset() + 512;
        rejecting(edited(img, buf -> buf.putLong((int) b.offset(), second)))
                .hasMessage("bitmap directory entry for 'b' at offset " + hex(b.offset()) + ": bitmap_table_offset "
                        + hex(second) + " uses cluster " + hex(second) + " already used by bitmap directory entry for"
                        + " 'a' at offset " + hex(a.offset()) + " bitmap_table_offset " + hex(a.tableOffset()));
    }

    /** 512-byte clusters and 4196 granules of 512 bytes: 66 words, the last with 36 valid bits, two table entries. */
    static final long ODD_DISK = 4196L * 512;

    @Test
    void aBitInTheWordAfterTheLastGranuleIsRejected() throws IOException {
        byte[] img = CraftedImage.withBitmaps(ODD_DISK, 9, new Qcow2Bitmap("a", 9, true, bits(4100)));
        long data1;
        try (Qcow2Image i = CraftedImage.open(img)) {
            data1 = i.table("a")[1];
            assertThat(i.table("a")[0]).isZero();
        }
        // word 66 is the third word of the second data cluster; data is little-endian
        rejecting(edited(img, b -> b.put((int) data1 + 16, (byte) 1)))
                .hasMessage("bitmap 'a' data cluster at offset " + hex(data1) + " (table entry 1): bits beyond the end"
                        + " of the disk are set at byte offset " + hex(data1 + 16));
    }

    @Test
    void aFullBitmapOfAnOddGranuleCountKeepsItsPartialLastWordInADataClusterNotAnAllOnesEntry() throws IOException {
        // QEMU 7.2 fills whole words for an all-ones entry, setting bits beyond the disk end that it later writes
        // back; found by the differential test against QEMU (reference-impl/DIFFERENTIAL.md)
        BitSet full = new BitSet();
        full.set(0, 4196);
        byte[] img = CraftedImage.withBitmaps(ODD_DISK, 9, new Qcow2Bitmap("a", 9, true, full));
        try (Qcow2Image i = CraftedImage.open(img)) {
            long[] table = i.table("a");
            assertThat(table[0]).as("64 whole words").isEqualTo(Qcow2Image.TABLE_ENTRY_ALL_ONES);
            assertThat(table[1]).as("two whole words and the partial last one").isNotZero()
                    .isNotEqualTo(Qcow2Image.TABLE_ENTRY_ALL_ONES);
            assertThat(i.readBitmap("a").bits()).isEqualTo(full);
        }
    }

    @Test
    void anAllOnesEntryForThePartialLastClusterIsStillReadWithTheTailBitsLeftClear() throws IOException {
        BitSet full = new BitSet();
        full.set(0, 4196);
        byte[] img = CraftedImage.withBitmaps(ODD_DISK, 9, new Qcow2Bitmap("a", 9, true, full));
        long entry1;
        try (Qcow2Image i = CraftedImage.open(img)) {
            entry1 = i.bitmap("a").orElseThrow().tableOffset() + 8;
        }
        byte[] allOnes = edited(img, b -> b.putLong((int) entry1, Qcow2Image.TABLE_ENTRY_ALL_ONES));
        try (Qcow2Image i = CraftedImage.open(allOnes)) {
            assertThat(i.readBitmap("a").bits()).isEqualTo(full);
        }
    }

    @Test
    void aHeaderSizeOfNoWholeSectorsGivesTheBitmapsTheSizeQemuSees() throws IOException {
        // 64 KiB clusters hold 524288 bits; 256 MiB at 512-byte granularity is 524288 granules, one table entry.
        // With 100 more bytes in the header QEMU still sees 524288 sectors and expects one entry, not two.
        long disk = 256L << 20;
        BitSet full = new BitSet();
        full.set(0, 524288);
        byte[] img = CraftedImage.withBitmaps(disk, 16, new Qcow2Bitmap("a", 9, true, full));
        byte[] odd = edited(img, b -> b.putLong(24, disk + 100));
        try (Qcow2Image i = CraftedImage.open(odd)) {
            assertThat(i.diskSize()).isEqualTo(disk + 100);
            assertThat(i.bitmapCoverage()).isEqualTo(disk);
            assertThat(i.tableEntriesFor(9)).isOne();
            assertThat(i.readBitmap("a").bits()).isEqualTo(full);
        }
    }

    @Test
    void aBitmapOfAZeroSizeDiskIsStoredWithAnEmptyTableAndReadBackEmpty() throws IOException {
        byte[] img = CraftedImage.withBitmaps(0, 16, new Qcow2Bitmap("a", 16, true, new BitSet()));
        try (Qcow2Image i = CraftedImage.open(img)) {
            assertThat(i.bitmap("a").orElseThrow().tableSize()).isZero();
            assertThat(i.readBitmap("a").bits()).isEqualTo(new BitSet());
        }
        assertThat(openAndReadAll(img)).containsExactly("a");
    }
}
