package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class Qcow2RoundTripTest {

    static final long DISK = 3L << 30; // 3 GiB: several data clusters at 4 KiB granularity

    @TempDir
    Path dir;

    static BitSet bits(int... indexes) {
        BitSet b = new BitSet();
        for (int i : indexes) {
            b.set(i);
        }
        return b;
    }

    static BitSet range(long from, long to) {
        BitSet b = new BitSet();
        b.set(Math.toIntExact(from), Math.toIntExact(to));
        return b;
    }

    @Test
    void a_fresh_image_has_no_bitmaps_and_no_bitmaps_extension() throws Exception {
        try (Qcow2Image img = Qcow2Image.create(dir.resolve("a.qcow2"), DISK)) {
            assertThat(img.bitmaps()).isEmpty();
            assertThat(img.hasBitmapsExtension()).isFalse();
            assertThat(img.clusterSize()).isEqualTo(65536);
            assertThat(img.allocatedButUnreferenced()).isEmpty();
        }
        try (Qcow2Image img = Qcow2Image.open(dir.resolve("a.qcow2"))) {
            assertThat(img.diskSize()).isEqualTo(DISK);
            assertThat(img.autoclearFeatures()).isZero();
        }
    }

    @Test
    void several_bitmaps_including_all_zero_and_all_one_tables_survive_store_and_reopen() throws Exception {
        Path p = dir.resolve("rt.qcow2");
        long g12 = Qcow2Bitmap.granules(DISK, 12);
        long g16 = Qcow2Bitmap.granules(DISK, 16);
        BitSet mixed = bits(0, 1, 5, 524287, 524288, 700000);
        mixed.set(Math.toIntExact(g12 - 1));
        BitSet halfOnes = range(0, 524288); // exactly the first data cluster: all-ones entry, rest all-zero
        List<Qcow2Bitmap> in = List.of(
                new Qcow2Bitmap("mixed", 12, true, mixed),
                new Qcow2Bitmap("empty", 16, true, new BitSet()),
                new Qcow2Bitmap("full", 16, false, range(0, g16)),
                new Qcow2Bitmap("half-ones", 12, false, halfOnes),
                new Qcow2Bitmap("coarse", 31, true, bits(1)));
        try (Qcow2Image img = Qcow2Image.create(p, DISK)) {
            img.storeBitmaps(in, Set.of());
            assertThat(img.table("empty")).containsOnly(0L);
            assertThat(img.table("full")).containsOnly(Qcow2Image.TABLE_ENTRY_ALL_ONES);
            long[] half = img.table("half-ones");
            assertThat(half[0]).isEqualTo(Qcow2Image.TABLE_ENTRY_ALL_ONES);
            assertThat(half).hasSize(2);
            assertThat(half[1]).isZero();
            assertThat(img.table("mixed")).hasSize(2);
            assertThat(java.util.Arrays.stream(img.table("mixed"))).allSatisfy(e -> assertThat(e % 65536).isZero());
        }
        try (Qcow2Image img = Qcow2Image.open(p)) {
            assertThat(img.bitmapsConsistent()).isTrue();
            assertThat(img.autoclearFeatures() & 1).isEqualTo(1);
            assertThat(img.bitmaps()).extracting(BitmapDirectoryEntry::name)
                    .containsExactly("mixed", "empty", "full", "half-ones", "coarse");
            for (Qcow2Bitmap want : in) {
                Qcow2Bitmap got = img.readBitmap(want.name());
                assertThat(got.bits()).as(want.name()).isEqualTo(want.bits());
                assertThat(got.granularityBits()).isEqualTo(want.granularityBits());
                assertThat(got.enabled()).isEqualTo(want.enabled());
                assertThat(img.bitmap(want.name()).orElseThrow().inUse()).isFalse();
            }
            assertThat(img.referencedButUnallocated()).isEmpty();
            assertThat(img.allocatedButUnreferenced()).isEmpty();
        }
    }

    @Test
    void storing_again_replaces_owned_entries_and_frees_the_old_clusters() throws Exception {
        MemoryWriteLayer mem = new MemoryWriteLayer();
        try (Qcow2Image img = Qcow2Image.create(mem, DISK, 16)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 12, true, bits(3, 600000))), Set.of());
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 12, true, bits(4)),
                    new Qcow2Bitmap("b", 13, false, bits(9))), Set.of("a"));
            assertThat(img.readBitmap("a").bits()).isEqualTo(bits(4));
            assertThat(img.readBitmap("b").bits()).isEqualTo(bits(9));
            assertThat(img.allocatedButUnreferenced()).isEmpty();
            assertThat(img.referencedButUnallocated()).isEmpty();
        }
    }

    @Test
    void storing_over_an_entry_that_is_not_in_use_and_not_owned_is_refused_before_any_write() throws Exception {
        CrashingWriteLayer layer = new CrashingWriteLayer(new MemoryWriteLayer());
        try (Qcow2Image img = Qcow2Image.create(layer, DISK, 16)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 12, true, bits(3))), Set.of());
            long writes = layer.writes();
            assertThatThrownBy(() -> img.storeBitmaps(List.of(new Qcow2Bitmap("a", 12, true, bits(4))), Set.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Bitmap 'a' already exists in the image");
            assertThat(layer.writes()).isEqualTo(writes);
            assertThat(img.readBitmap("a").bits()).isEqualTo(bits(3));
        }
    }

    @Test
    void removing_entries_rewrites_the_directory_and_the_last_removal_clears_autoclear_bit_0() throws Exception {
        MemoryWriteLayer mem = new MemoryWriteLayer();
        try (Qcow2Image img = Qcow2Image.create(mem, DISK, 16)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 12, true, bits(3, 700000)),
                    new Qcow2Bitmap("b", 16, true, bits(1))), Set.of());
            img.removeBitmap("a");
            assertThat(img.bitmaps()).extracting(BitmapDirectoryEntry::name).containsExactly("b");
            assertThat(img.allocatedButUnreferenced()).isEmpty();
            img.removeBitmap("b");
            assertThat(img.hasBitmapsExtension()).isFalse();
            assertThat(img.autoclearFeatures() & 1).isZero();
            assertThat(img.allocatedButUnreferenced()).isEmpty();
        }
    }

    @Test
    void an_in_place_flag_update_sets_in_use_without_moving_the_directory() throws Exception {
        MemoryWriteLayer mem = new MemoryWriteLayer();
        try (Qcow2Image img = Qcow2Image.create(mem, DISK, 16)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 12, true, bits(3))), Set.of());
            long dirOffset = img.directoryOffset();
            img.updateFlagsInPlace(Map.of("a", BitmapDirectoryEntry.FLAG_IN_USE | BitmapDirectoryEntry.FLAG_AUTO));
            assertThat(img.directoryOffset()).isEqualTo(dirOffset);
            assertThat(img.bitmap("a").orElseThrow().inUse()).isTrue();
            assertThat(img.autoclearFeatures() & 1).isEqualTo(1);
        }
    }

    @Test
    void a_session_marks_bitmaps_in_use_while_open_and_stores_them_clean_on_close() throws Exception {
        Path p = dir.resolve("s.qcow2");
        try (Qcow2Image img = Qcow2Image.create(p, DISK)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("on", 16, true, bits(0)),
                    new Qcow2Bitmap("off", 16, false, bits(1))), Set.of());
        }
        List<String> warnings = new ArrayList<>();
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(p, warnings::add)) {
            assertThat(s.image().bitmaps()).allSatisfy(e -> assertThat(e.inUse()).isTrue());
            s.markWrite(5L << 16, 1);
            s.add("new", 20, true);
            s.markWrite(0, 1L << 20);
        }
        assertThat(warnings).isEmpty();
        try (Qcow2Image img = Qcow2Image.open(p)) {
            assertThat(img.bitmaps()).allSatisfy(e -> assertThat(e.inUse()).isFalse());
            assertThat(img.readBitmap("on").bits()).isEqualTo(withSet(range(0, 16), 5));
            assertThat(img.readBitmap("off").bits()).isEqualTo(bits(1));
            assertThat(img.readBitmap("off").enabled()).isFalse();
            assertThat(img.readBitmap("new").bits()).isEqualTo(bits(0));
            assertThat(img.allocatedButUnreferenced()).isEmpty();
        }
    }

    private static BitSet withSet(BitSet b, int i) {
        b.set(i);
        return b;
    }

    @Test
    void a_session_loads_in_use_entries_as_inconsistent_and_leaves_them_in_use() throws Exception {
        Path p = dir.resolve("i.qcow2");
        try (Qcow2Image img = Qcow2Image.create(p, DISK)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("stale", 16, true, bits(0)),
                    new Qcow2Bitmap("good", 16, true, bits(2))), Set.of());
            img.updateFlagsInPlace(Map.of("stale", 3));
        }
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(p, w -> { })) {
            assertThat(s.bitmap("stale").orElseThrow().inconsistent()).isTrue();
            assertThat(s.bitmap("stale").orElseThrow().data()).isEmpty();
            assertThat(s.bitmap("good").orElseThrow().bits()).isEqualTo(bits(2));
            assertThatThrownBy(() -> s.add("stale", 16, true)).hasMessage("Bitmap already exists: stale");
        }
        try (Qcow2Image img = Qcow2Image.open(p)) {
            assertThat(img.bitmap("stale").orElseThrow().inUse()).isTrue();
            assertThat(img.bitmap("good").orElseThrow().inUse()).isFalse();
        }
    }

    @Test
    void a_session_drops_all_bitmaps_with_a_warning_when_autoclear_bit_0_is_clear() throws Exception {
        MemoryWriteLayer mem = new MemoryWriteLayer();
        try (Qcow2Image img = Qcow2Image.create(mem, DISK, 16)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 16, true, bits(0))), Set.of());
        }
        byte[] raw = mem.toByteArray();
        raw[95] &= ~1; // autoclear_features, last byte (big-endian)
        List<String> warnings = new ArrayList<>();
        MemoryWriteLayer edited = new MemoryWriteLayer(raw);
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(edited, warnings::add)) {
            assertThat(s.bitmaps()).isEmpty();
        }
        assertThat(warnings).contains(Qcow2BitmapSession.UNAWARE_WRITER_WARNING);
        try (Qcow2Image img = Qcow2Image.open(new MemoryWriteLayer(edited.toByteArray()))) {
            assertThat(img.hasBitmapsExtension()).isFalse();
            assertThat(img.bitmaps()).isEmpty();
            assertThat(img.allocatedButUnreferenced()).isNotEmpty(); // the old clusters leak, as in QEMU
        }
    }
}
