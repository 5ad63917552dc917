package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Each test starts from one valid image, corrupts one field, and expects the field and its offset to be named. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class Qcow2CorruptImageTest {

    static final long DISK = 1L << 30;

    byte[] valid;
    long ext;        // bitmaps extension data (nb_bitmaps field)
    long dir;        // bitmap directory
    long entry1;     // second directory entry ("b")
    long tableA;
    long tableB;
    long dataA;
    long refTable;

    @BeforeEach
    void makeAValidImageWithTwoBitmaps() throws Exception {
        MemoryWriteLayer mem = new MemoryWriteLayer();
        BitSet a = new BitSet();
        a.set(3);
        a.set(100);
        BitSet b = new BitSet();
        b.set(7);
        try (Qcow2Image img = Qcow2Image.create(mem, DISK, 16)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 12, true, a), new Qcow2Bitmap("b", 16, false, b)),
                    Set.of());
            ext = img.bitmapsExtensionOffset();
            dir = img.directoryOffset();
            entry1 = img.bitmap("b").orElseThrow().offset();
            tableA = img.bitmap("a").orElseThrow().tableOffset();
            tableB = img.bitmap("b").orElseThrow().tableOffset();
            dataA = img.table("a")[0];
            refTable = img.refcountTableOffset();
        }
        valid = mem.toByteArray();
        assertThat(entry1).isEqualTo(dir + 32);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> openingAfter(Consumer<ByteBuffer> corruption) {
        byte[] bad = valid.clone();
        corruption.accept(ByteBuffer.wrap(bad));
        return assertThatThrownBy(() -> {
            try (Qcow2Image img = Qcow2Image.open(new MemoryWriteLayer(bad))) {
                for (BitmapDirectoryEntry e : img.bitmaps()) {
                    img.readBitmap(e.name());
                }
            }
        }).isInstanceOf(Qcow2FormatException.class);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    @Test
    void the_valid_image_opens_and_reads() throws Exception {
        try (Qcow2Image img = Qcow2Image.open(new MemoryWriteLayer(valid))) {
            assertThat(img.bitmaps()).hasSize(2);
            assertThat(img.readBitmap("a").bits().cardinality()).isEqualTo(2);
        }
    }

    @Test
    void a_file_shorter_than_a_header_is_rejected() {
        assertThatThrownBy(() -> Qcow2Image.open(new MemoryWriteLayer(Arrays.copyOf(valid, 50))))
                .isInstanceOf(Qcow2FormatException.class)
                .hasMessage("header at offset 0x0: file of 50 bytes is shorter than a version 3 header (104 bytes)");
    }

    @Test
    void a_wrong_magic_is_named() {
        openingAfter(b -> b.putInt(0, 0x12345678)).hasMessageStartingWith("header at offset 0x0: magic 0x12345678");
    }

    @Test
    void version_2_is_named() {
        openingAfter(b -> b.putInt(4, 2)).hasMessage("header at offset 0x4: version 2 unsupported (only 3)");
    }

    @Test
    void cluster_bits_out_of_range_is_named() {
        openingAfter(b -> b.putInt(20, 30)).hasMessage("header at offset 0x14: cluster_bits 30 out of range 9..21");
    }

    @Test
    void a_header_length_below_104_is_named() {
        openingAfter(b -> b.putInt(100, 96))
                .hasMessage("header at offset 0x64: header_length 96 out of range 104..65536 (cluster size)");
    }

    @Test
    void a_header_length_that_is_not_a_multiple_of_8_is_named() {
        // found by fuzzing: header_length 116 loaded, but the header written back on a read-write open aligned the
        // extensions differently, and the reload failed
        openingAfter(b -> b.putInt(100, 116))
                .hasMessage("header at offset 0x64: header_length 116 is not a multiple of 8");
    }

    @Test
    void unknown_incompatible_feature_bits_are_named() {
        openingAfter(b -> b.putLong(72, 1L << 10))
                .hasMessage("header at offset 0x48: incompatible_features has unknown bits 0x400");
    }

    @Test
    void a_refcount_order_other_than_4_is_named() {
        openingAfter(b -> b.putInt(96, 3)).hasMessageStartingWith("header at offset 0x60: refcount_order 3 unsupported");
    }

    @Test
    void an_unaligned_refcount_table_offset_is_named() {
        openingAfter(b -> b.putLong(48, refTable + 8))
                .hasMessageStartingWith("header at offset 0x30: refcount_table_offset " + hex(refTable + 8));
    }

    @Test
    void a_refcount_table_outside_the_file_is_named() {
        openingAfter(b -> b.putLong(48, 0x7fff0000L))
                .hasMessageStartingWith("header at offset 0x30: refcount_table_offset 0x7fff0000 with 1 clusters"
                        + " lies outside the file");
    }

    @Test
    void a_refcount_block_outside_the_file_is_named() {
        openingAfter(b -> b.putLong((int) refTable, 0x7fff0000L))
                .hasMessageStartingWith("refcount table entry 0 at offset " + hex(refTable)
                        + ": refcount block offset 0x7fff0000 lies outside the file");
    }

    @Test
    void a_header_extension_longer_than_the_header_cluster_is_named() {
        openingAfter(b -> b.putInt((int) ext - 4, 0x10000))
                .hasMessageStartingWith("header extension 0x23852875 at offset " + hex(ext - 8)
                        + ": length 65536 exceeds the header cluster");
    }

    @Test
    void a_bitmaps_extension_length_other_than_24_is_named() {
        openingAfter(b -> b.putInt((int) ext - 4, 16))
                .hasMessage("bitmaps extension at offset " + hex(ext - 8) + ": length 16 is not 24");
    }

    @Test
    void zero_nb_bitmaps_is_named() {
        openingAfter(b -> b.putInt((int) ext, 0))
                .hasMessage("bitmaps extension at offset " + hex(ext) + ": nb_bitmaps 0 out of range 1..65535");
    }

    @Test
    void more_than_65535_bitmaps_are_named() {
        openingAfter(b -> b.putInt((int) ext, 70000))
                .hasMessage("bitmaps extension at offset " + hex(ext) + ": nb_bitmaps 70000 out of range 1..65535");
    }

    @Test
    void a_directory_with_more_entries_than_nb_bitmaps_is_named() {
        openingAfter(b -> b.putInt((int) ext, 1))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": more entries than nb_bitmaps 1 (bitmap_directory_size 64)");
    }

    @Test
    void a_directory_size_over_qemus_64_mib_limit_is_named() {
        openingAfter(b -> b.putLong((int) ext + 8, 64L << 20))
                .hasMessage("bitmaps extension at offset " + hex(ext)
                        + ": bitmap_directory_size 67108864 exceeds the maximum 67107840");
    }

    @Test
    void a_directory_size_too_small_for_nb_bitmaps_is_named() {
        openingAfter(b -> b.putLong((int) ext + 8, 40))
                .hasMessage("bitmaps extension at offset " + hex(ext)
                        + ": bitmap_directory_size 40 too small for nb_bitmaps 2");
    }

    @Test
    void an_unaligned_directory_offset_is_named() {
        openingAfter(b -> b.putLong((int) ext + 16, dir + 8))
                .hasMessageStartingWith("bitmaps extension at offset " + hex(ext) + ": bitmap_directory_offset "
                        + hex(dir + 8) + " not a non-zero multiple of the cluster size");
    }

    @Test
    void a_directory_outside_the_file_is_named() {
        openingAfter(b -> b.putLong((int) ext + 16, 0x40000000L))
                .hasMessageStartingWith("bitmaps extension at offset " + hex(ext)
                        + ": bitmap_directory_offset 0x40000000 with bitmap_directory_size 64 lies outside the file");
    }

    @Test
    void a_directory_on_top_of_the_refcount_table_is_a_cluster_used_twice() {
        openingAfter(b -> b.putLong((int) ext + 16, refTable))
                .hasMessage("bitmaps extension at offset " + hex(ext) + ": bitmap_directory_offset " + hex(refTable)
                        + " uses cluster " + hex(refTable) + " already used by header at offset 0x30"
                        + " refcount_table_offset " + hex(refTable));
    }

    @Test
    void granularity_bits_40_is_named() {
        openingAfter(b -> b.put((int) entry1 + 17, (byte) 40))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": granularity_bits 40 out of range 9..31");
    }

    @Test
    void an_empty_name_is_named() {
        openingAfter(b -> b.putShort((int) entry1 + 18, (short) 0))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1) + ": name_size 0 out of range 1..1023");
    }

    @Test
    void a_name_of_1024_bytes_is_named() {
        openingAfter(b -> b.putShort((int) entry1 + 18, (short) 1024))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": name_size 1024 out of range 1..1023");
    }

    @Test
    void a_name_that_is_not_valid_utf_8_is_named() {
        // found by fuzzing: the lossy decode turned 0xff into U+FFFD, and the read-write open then failed with
        // IllegalStateException because the re-encoded directory had grown
        openingAfter(b -> b.put((int) entry1 + 24, (byte) 0xff))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": name of 1 bytes is not valid UTF-8");
    }

    @Test
    void an_encoded_surrogate_in_a_name_is_named() {
        // "b" becomes the three bytes of a UTF-16 surrogate, so name_size grows to 3 within the 8-byte padding
        openingAfter(b -> b.putShort((int) entry1 + 18, (short) 3).put((int) entry1 + 24, (byte) 0xed)
                .put((int) entry1 + 25, (byte) 0xa0).put((int) entry1 + 26, (byte) 0x80))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": name of 3 bytes is not valid UTF-8");
    }

    @Test
    void a_type_other_than_dirty_tracking_is_named() {
        openingAfter(b -> b.put((int) entry1 + 16, (byte) 2))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1) + ": type 2 is not 1 (dirty tracking)");
    }

    @Test
    void a_reserved_flag_is_named() {
        openingAfter(b -> b.putInt((int) entry1 + 12, 4))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1) + ": flags 0x4 has reserved bits 0x4 set");
    }

    @Test
    void extra_data_is_named() {
        openingAfter(b -> b.putInt((int) entry1 + 20, 8))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": extra_data_size 8 is not 0 (extra data is not supported)");
    }

    @Test
    void an_unaligned_bitmap_table_offset_is_named() {
        openingAfter(b -> b.putLong((int) entry1, tableB + 8))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1) + ": bitmap_table_offset "
                        + hex(tableB + 8) + " not a non-zero multiple of the cluster size");
    }

    @Test
    void a_bitmap_table_outside_the_file_is_named() {
        openingAfter(b -> b.putLong((int) entry1, 0x40000000L))
                .hasMessageStartingWith("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": bitmap_table_offset 0x40000000 with bitmap_table_size 1 lies outside the file");
    }

    @Test
    void a_bitmap_table_size_over_qemus_limit_is_named() {
        openingAfter(b -> b.putInt((int) entry1 + 8, 0x8000001))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": bitmap_table_size 134217729 exceeds the maximum 134217728");
    }

    @Test
    void a_bitmap_table_size_that_does_not_match_the_disk_is_named() {
        openingAfter(b -> b.putInt((int) entry1 + 8, 2))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1)
                        + ": bitmap_table_size 2 does not match the disk size 1073741824 at granularity_bits 16"
                        + " (expected 1)");
    }

    @Test
    void an_in_use_entry_may_have_a_stale_table_size() throws Exception {
        byte[] bad = valid.clone();
        ByteBuffer.wrap(bad).putInt((int) entry1 + 8, 2).putInt((int) entry1 + 12, 1);
        try (Qcow2Image img = Qcow2Image.open(new MemoryWriteLayer(bad))) {
            assertThat(img.bitmap("b").orElseThrow().inUse()).isTrue();
        }
    }

    @Test
    void reserved_bits_in_a_table_entry_are_named() {
        openingAfter(b -> b.putLong((int) tableA, dataA | 2))
                .hasMessage("bitmap 'a' table entry 0 at offset " + hex(tableA) + ": reserved bits 0x2 set in "
                        + hex(dataA | 2));
    }

    @Test
    void an_unaligned_data_offset_is_named() {
        openingAfter(b -> b.putLong((int) tableA, dataA + 0x200))
                .hasMessage("bitmap 'a' table entry 0 at offset " + hex(tableA) + ": data offset "
                        + hex(dataA + 0x200) + " not aligned to the cluster size");
    }

    @Test
    void a_data_offset_outside_the_file_is_named() {
        openingAfter(b -> b.putLong((int) tableA, 0x40000000L))
                .hasMessageStartingWith("bitmap 'a' table entry 0 at offset " + hex(tableA)
                        + ": data offset 0x40000000 lies outside the file");
    }

    @Test
    void two_bitmaps_sharing_a_data_cluster_are_named() {
        openingAfter(b -> b.putLong((int) tableB, dataA))
                .hasMessage("bitmap 'b' table entry 0 at offset " + hex(tableB) + ": data offset " + hex(dataA)
                        + " uses cluster " + hex(dataA) + " already used by bitmap 'a' table entry 0 at offset "
                        + hex(tableA) + " data offset " + hex(dataA));
    }

    @Test
    void a_duplicate_name_is_named() {
        openingAfter(b -> b.put((int) entry1 + 24, (byte) 'a'))
                .hasMessage("bitmap directory entry 1 at offset " + hex(entry1) + ": name 'a' already used by entry 0");
    }

    @Test
    void bits_set_beyond_the_end_of_the_disk_are_named() {
        // 1 GiB at 4 KiB granularity = 262144 granules = 32 KiB of the 64 KiB data cluster
        openingAfter(b -> b.put((int) dataA + 40000, (byte) 1))
                .hasMessage("bitmap 'a' data cluster at offset " + hex(dataA) + " (table entry 0): bits beyond the"
                        + " end of the disk are set at byte offset " + hex(dataA + 40000));
    }
}
