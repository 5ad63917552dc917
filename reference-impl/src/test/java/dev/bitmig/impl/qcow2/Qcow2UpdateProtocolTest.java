package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The writes and flushes of each update, in order, and the header fields each update leaves. The image is 1 GiB
 * with 64 KiB clusters (header, refcount table at 0x10000, refcount block at 0x20000, L1 table at 0x30000) and,
 * where it has one, bitmap "a" with its data cluster at 0x40000, its table at 0x50000 and the directory at
 * 0x60000.
 */
class Qcow2UpdateProtocolTest {

    static final long GIB = 1L << 30;

    static Qcow2Bitmap a(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return new Qcow2Bitmap("a", 16, true, b);
    }

    /** An image with bitmap "a" and autoclear bits {@code autoclear} (bit 0 included). */
    static LoggingWriteLayer imageWithA(long autoclear) throws IOException {
        byte[] img = CraftedImage.edited(CraftedImage.withBitmaps(GIB, 16, a(1)), b -> b.putLong(88, autoclear));
        return new LoggingWriteLayer(img);
    }

    static long autoclearOnDisk(LoggingWriteLayer layer) {
        return ByteBuffer.wrap(layer.toByteArray()).getLong(88);
    }

    @Test
    void theLayoutIsAsDescribed() throws IOException {
        try (Qcow2Image img = Qcow2Image.open(imageWithA(1))) {
            assertThat(img.table("a")).containsExactly(0x40000L);
            assertThat(img.bitmap("a").orElseThrow().tableOffset()).isEqualTo(0x50000);
            assertThat(img.directoryOffset()).isEqualTo(0x60000);
        }
    }

    @Test
    void aFirstStoreWritesDataThenTheHeaderAndHasNothingToFree() throws IOException {
        // qcow2-bitmap.c, qcow2_store_persistent_dirty_bitmaps: new clusters, flush, header update
        LoggingWriteLayer layer = new LoggingWriteLayer(CraftedImage.withBitmaps(GIB, 16));
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            img.storeBitmaps(List.of(a(1)), Set.of());
            assertThat(img.bitmapsConsistent()).isTrue();
        }
        assertThat(layer.log()).containsExactly("write 0x20000+65536", "write 0x40000+65536", "write 0x50000+65536",
                "write 0x60000+65536", "flush", "write 0x0+65536", "flush", "flush", "close");
    }

    @Test
    void replacingABitmapSwitchesTheHeaderBeforeItFreesTheOldClusters() throws IOException {
        LoggingWriteLayer layer = imageWithA(1);
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            img.storeBitmaps(List.of(a(2)), Set.of("a"));
            assertThat(img.table("a")).containsExactly(0x70000L);
            assertThat(img.directoryOffset()).isEqualTo(0x90000);
            assertThat(img.allocatedButUnreferenced()).isEmpty();
        }
        assertThat(layer.log()).containsExactly("write 0x20000+65536", "write 0x70000+65536", "write 0x80000+65536",
                "write 0x90000+65536", "flush", "write 0x0+65536", "flush", "write 0x20000+65536", "flush", "close");
    }

    @Test
    void anInPlaceFlagUpdateClearsBit0RewritesTheDirectoryAndSetsBit0KeepingOtherAutoclearBits() throws IOException {
        // qcow2-bitmap.c, update_ext_header_and_dir_in_place
        LoggingWriteLayer layer = imageWithA(0b11);
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            img.updateFlagsInPlace(Map.of("a", BitmapDirectoryEntry.FLAG_IN_USE | BitmapDirectoryEntry.FLAG_AUTO));
            assertThat(img.bitmap("a").orElseThrow().flags()).isEqualTo(3);
            assertThat(img.autoclearFeatures()).isEqualTo(0b11);
        }
        assertThat(layer.log()).containsExactly("write 0x0+65536", "flush", "write 0x60000+32", "flush",
                "write 0x0+65536", "flush", "close");
        assertThat(autoclearOnDisk(layer)).isEqualTo(0b11);
    }

    @Test
    void droppingTheExtensionClearsBit0AndKeepsOtherAutoclearBits() throws IOException {
        LoggingWriteLayer layer = imageWithA(0b11);
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            img.dropBitmapsExtension();
            assertThat(img.hasBitmapsExtension()).isFalse();
            assertThat(img.autoclearFeatures()).isEqualTo(0b10);
        }
        assertThat(layer.log()).containsExactly("write 0x0+65536", "flush", "close");
        assertThat(autoclearOnDisk(layer)).isEqualTo(0b10);
    }

    @Test
    void clearingUnknownAutoclearBitsKeepsBit0() throws IOException {
        LoggingWriteLayer layer = imageWithA(0b111);
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            img.clearUnknownAutoclearBits();
            assertThat(img.autoclearFeatures()).isEqualTo(1);
            img.clearUnknownAutoclearBits();
        }
        assertThat(layer.log()).containsExactly("write 0x0+65536", "flush", "close");
        assertThat(autoclearOnDisk(layer)).isEqualTo(1);
    }

    @Test
    void clearingAutoclearBit0KeepsTheOtherBitsAndTheExtensionAndWritesOnce() throws IOException {
        LoggingWriteLayer layer = imageWithA(0b11);
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            img.clearAutoclearBit0();
            assertThat(img.autoclearFeatures()).isEqualTo(0b10);
            assertThat(img.hasBitmapsExtension()).isTrue();
            assertThat(img.bitmapsConsistent()).isFalse();
            assertThat(img.bitmaps()).isEmpty();
            img.clearAutoclearBit0();
        }
        assertThat(layer.log()).containsExactly("write 0x0+65536", "flush", "close");
        assertThat(autoclearOnDisk(layer)).isEqualTo(0b10);
    }

    @Test
    void featureBitsAreReadAndWrittenBack() throws IOException {
        // compatible bit 0 is lazy refcounts; incompatible bit 3 is the compression type
        byte[] img = CraftedImage.edited(CraftedImage.withBitmaps(GIB, 16, a(1)),
                b -> b.putLong(72, 8).putLong(80, 1));
        MemoryWriteLayer mem = new MemoryWriteLayer(img);
        try (Qcow2Image i = Qcow2Image.open(mem)) {
            assertThat(i.incompatibleFeatures()).isEqualTo(8);
            assertThat(i.compatibleFeatures()).isEqualTo(1);
            i.removeBitmap("a");
        }
        ByteBuffer b = ByteBuffer.wrap(mem.toByteArray());
        assertThat(b.getLong(72)).isEqualTo(8);
        assertThat(b.getLong(80)).isEqualTo(1);
    }
}
