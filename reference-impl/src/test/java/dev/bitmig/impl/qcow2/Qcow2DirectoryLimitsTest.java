package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.CraftedImage.edited;
import static dev.bitmig.impl.qcow2.CraftedImage.hex;
import static dev.bitmig.impl.qcow2.CraftedImage.openAndReadAll;
import static dev.bitmig.impl.qcow2.CraftedImage.rejecting;
import static dev.bitmig.impl.qcow2.CraftedImage.resized;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * Limits on the bitmaps extension and the bitmap directory entries (block/qcow2-bitmap.c, check_dir_entry and
 * bitmap_list_load), each probed on both sides. Offsets are read from the valid image, not assumed.
 */
class Qcow2DirectoryLimitsTest {

    static final long GIB = 1L << 30;
    static final String LONG_A = "first-bitmap-name-20";
    static final String LONG_B = "secnd-bitmap-name-20";

    /** Where the structures of a valid image lie. */
    record Layout(byte[] bytes, long ext, long dir, long entry0, long entry1) {
        static Layout of(long disk, Qcow2Bitmap... bitmaps) throws IOException {
            byte[] bytes = CraftedImage.withBitmaps(disk, 16, bitmaps);
            try (Qcow2Image img = CraftedImage.open(bytes)) {
                long e1 = img.bitmaps().size() > 1 ? img.bitmaps().get(1).offset() : -1;
                return new Layout(bytes, img.bitmapsExtensionOffset(), img.directoryOffset(),
                        img.bitmaps().get(0).offset(), e1);
            }
        }
    }

    static Qcow2Bitmap bitmap(String name, int granularityBits, int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return new Qcow2Bitmap(name, granularityBits, true, b);
    }

    final Layout two;

    Qcow2DirectoryLimitsTest() throws IOException {
        two = Layout.of(GIB, bitmap("a", 12, 3, 100), bitmap("b", 16, 7));
    }

    @Test
    void theDirectoryIsTheLastClusterAndHoldsTwoEntriesOf32Bytes() throws IOException {
        try (Qcow2Image img = CraftedImage.open(two.bytes())) {
            // 24 fixed bytes and a one-byte name, padded to 8
            assertThat(img.directorySize()).isEqualTo(64);
            assertThat(two.entry1()).isEqualTo(two.dir() + 32);
            assertThat(two.dir() + (1 << 16)).isEqualTo(two.bytes().length);
        }
    }

    @Test
    void nbBitmaps65535PassesTheCountLimit() {
        rejecting(edited(two.bytes(), b -> b.putInt((int) two.ext(), 65535)))
                .hasMessage("bitmaps extension at offset " + hex(two.ext())
                        + ": bitmap_directory_size 64 too small for nb_bitmaps 65535");
    }

    @Test
    void aDirectorySizeOfZeroIsTooSmall() {
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.ext() + 8, 0)))
                .hasMessage("bitmaps extension at offset " + hex(two.ext())
                        + ": bitmap_directory_size 0 too small for nb_bitmaps 2");
    }

    @Test
    void aDirectorySizeOfExactlyQemusLimitPassesTheLimit() {
        // block/qcow2.h: QCOW2_MAX_BITMAP_DIRECTORY_SIZE, 1024 bytes for each of 65535 bitmaps
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.ext() + 8, 67107840)))
                .hasMessage("bitmaps extension at offset " + hex(two.ext()) + ": bitmap_directory_offset "
                        + hex(two.dir()) + " with bitmap_directory_size 67107840 lies outside the file ("
                        + two.bytes().length + " bytes)");
    }

    @Test
    void aDirectoryOffsetOfZeroIsRejected() {
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.ext() + 16, 0)))
                .hasMessage("bitmaps extension at offset " + hex(two.ext())
                        + ": bitmap_directory_offset 0x0 not a non-zero multiple of the cluster size");
    }

    @Test
    void aDirectoryEndingAtTheEndOfTheFileLoads() throws IOException {
        assertThat(openAndReadAll(resized(two.bytes(), two.dir() + 64))).containsExactly("a", "b");
    }

    @Test
    void aDirectoryJustPastTheEndOfTheFileIsRejected() {
        long end = two.bytes().length;
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.ext() + 16, end)))
                .hasMessage("bitmaps extension at offset " + hex(two.ext()) + ": bitmap_directory_offset " + hex(end)
                        + " with bitmap_directory_size 64 lies outside the file (" + end + " bytes)");
    }

    @Test
    void anEntryCutShortOfItsFixedPartIsTruncated() throws IOException {
        Layout l = Layout.of(GIB, bitmap(LONG_A, 16), bitmap("b", 16));
        assertThat(l.entry1()).isEqualTo(l.dir() + 48);
        rejecting(edited(l.bytes(), b -> b.putLong((int) l.ext() + 8, 64)))
                .hasMessage("bitmap directory entry 1 at offset " + hex(l.entry1())
                        + ": truncated, 16 bytes left in the directory");
    }

    @Test
    void anEntryWithItsFixedPartButNotItsNameExceedsTheDirectory() throws IOException {
        Layout l = Layout.of(GIB, bitmap(LONG_A, 16), bitmap("b", 16));
        rejecting(edited(l.bytes(), b -> b.putLong((int) l.ext() + 8, 72)))
                .hasMessage("bitmap directory entry 1 at offset " + hex(l.entry1())
                        + ": entry of 32 bytes exceeds the directory (24 bytes left)");
    }

    @Test
    void fewerEntriesThanNbBitmapsAreRejected() throws IOException {
        Layout l = Layout.of(GIB, bitmap(LONG_A, 16), bitmap(LONG_B, 16));
        rejecting(edited(l.bytes(), b -> b.putInt((int) l.ext(), 3)))
                .hasMessage("bitmaps extension at offset " + hex(l.ext()) + ": nb_bitmaps 3 but the directory at "
                        + hex(l.dir()) + " holds 2 entries");
    }

    @Test
    void aNameOf1023BytesIsStoredAndLoaded() throws IOException {
        String name = "n".repeat(1023);
        assertThat(openAndReadAll(CraftedImage.withBitmaps(GIB, 16, bitmap(name, 16, 1)))).containsExactly(name);
    }

    @Test
    void aBitmapTableOffsetOfZeroIsRejected() {
        rejecting(edited(two.bytes(), b -> b.putLong((int) two.entry1(), 0)))
                .hasMessage("bitmap directory entry 1 at offset " + hex(two.entry1())
                        + ": bitmap_table_offset 0x0 not a non-zero multiple of the cluster size");
    }

    @Test
    void aTableSizeOfExactlyQemusLimitPassesThatLimitButNotTheDataLimit() {
        rejecting(edited(two.bytes(), b -> b.putInt((int) two.entry1() + 8, 0x8000000)))
                .hasMessage("bitmap directory entry 1 at offset " + hex(two.entry1())
                        + ": bitmap_table_size 134217728 makes the bitmap exceed 536870912 bytes of data");
    }

    @Test
    void anInUseEntryMayDescribe512MibOfDataButNotMore() throws IOException {
        // 8192 clusters of 64 KiB; IN_USE entries skip the table size check against the disk
        byte[] max = edited(two.bytes(), b -> b.putInt((int) two.entry1() + 8, 8192).putInt((int) two.entry1() + 12, 1));
        assertThat(openAndReadAll(max)).containsExactly("a", "b");
        rejecting(edited(two.bytes(), b -> b.putInt((int) two.entry1() + 8, 8193).putInt((int) two.entry1() + 12, 1)))
                .hasMessage("bitmap directory entry 1 at offset " + hex(two.entry1())
                        + ": bitmap_table_size 8193 makes the bitmap exceed 536870912 bytes of data");
    }

    @Test
    void aBitmapOfMoreThan2To30GranulesIsRefusedUnlessInUse() throws IOException {
        // 1 TiB at 512-byte granularity: 2^31 granules, 4096 table entries (they fit in the table's cluster)
        Layout l = Layout.of(1L << 40, bitmap("a", 16));
        byte[] huge = edited(l.bytes(), b -> b.putInt((int) l.entry0() + 8, 4096).put((int) l.entry0() + 17, (byte) 9));
        rejecting(huge).hasMessage("bitmap directory entry 0 at offset " + hex(l.entry0())
                + ": granularity_bits 9 gives 2147483648 granules, more than this implementation's limit 1073741824");
        byte[] inUse = edited(huge, b -> b.putInt((int) l.entry0() + 12, 3));
        assertThat(openAndReadAll(inUse)).containsExactly("a");
    }

    @Test
    void aBitmapOfExactly2To30GranulesOpens() throws IOException {
        // 512 GiB at 512-byte granularity: 2048 table entries
        Layout l = Layout.of(1L << 39, bitmap("a", 16));
        byte[] max = edited(l.bytes(), b -> b.putInt((int) l.entry0() + 8, 2048).put((int) l.entry0() + 17, (byte) 9));
        try (Qcow2Image img = CraftedImage.open(max)) {
            assertThat(img.bitmap("a").orElseThrow().granularityBits()).isEqualTo(9);
            assertThat(img.bitmap("a").orElseThrow().tableSize()).isEqualTo(2048);
        }
    }
}
