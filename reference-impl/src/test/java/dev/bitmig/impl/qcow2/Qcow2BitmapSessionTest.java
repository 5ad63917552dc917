package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of a read-write session apart from the on-disk protocol (see the crash and round-trip tests). */
class Qcow2BitmapSessionTest {

    static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }

    /** Bitmap "a" (enabled, 4 KiB granularity, bit 1) and "stale" (IN_USE, so inconsistent) on 1 GiB. */
    static byte[] image() throws IOException {
        MemoryWriteLayer mem = new MemoryWriteLayer(CraftedImage.withBitmaps(1L << 30, 16,
                new Qcow2Bitmap("a", 12, true, bits(1)), new Qcow2Bitmap("stale", 16, true, bits(0))));
        try (Qcow2Image img = Qcow2Image.open(mem)) {
            img.updateFlagsInPlace(Map.of("stale", BitmapDirectoryEntry.FLAG_IN_USE));
        }
        return mem.toByteArray();
    }

    @Test
    void bitmapsAreListedInDirectoryOrderThenAddedOnes() throws IOException {
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(new MemoryWriteLayer(image()), w -> { })) {
            s.add("new", 16, false);
            assertThat(s.bitmaps()).extracting(LoadedBitmap::name).containsExactly("a", "stale", "new");
            assertThat(s.bitmaps()).extracting(LoadedBitmap::inconsistent).containsExactly(false, true, false);
        }
    }

    @Test
    void aWriteOfZeroBytesMarksNothing() throws IOException {
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(new MemoryWriteLayer(image()), w -> { })) {
            s.markWrite(100, 0);
            s.markWrite(100, -5);
            assertThat(s.bitmap("a").orElseThrow().bits()).isEqualTo(bits(1));
            s.markWrite(100, 1);
            assertThat(s.bitmap("a").orElseThrow().bits()).isEqualTo(bits(0, 1));
        }
    }

    @Test
    void unknownAndInconsistentBitmapsCannotBeChanged() throws IOException {
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(new MemoryWriteLayer(image()), w -> { })) {
            assertThatThrownBy(() -> s.setBits("x", bits(1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Dirty bitmap 'x' not found");
            assertThatThrownBy(() -> s.remove("x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Dirty bitmap 'x' not found");
            assertThatThrownBy(() -> s.setEnabled("stale", true)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Bitmap 'stale' is inconsistent and cannot be used");
            assertThatThrownBy(() -> s.setBits("stale", bits(1))).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Bitmap 'stale' is inconsistent and cannot be used");
        }
    }

    @Test
    void aClosedSessionRefusesEverythingAndASecondCloseWritesNothing() throws IOException {
        LoggingWriteLayer layer = new LoggingWriteLayer(image());
        Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(layer, w -> { });
        s.close();
        List<String> afterClose = List.copyOf(layer.log());
        assertThat(afterClose).endsWith("close");
        s.close();
        assertThat(layer.log()).isEqualTo(afterClose);
        for (Runnable r : List.<Runnable>of(() -> s.add("b", 16, true), () -> s.markWrite(0, 1),
                () -> s.setBits("a", bits(2)), () -> s.setEnabled("a", false))) {
            assertThatThrownBy(r::run).isInstanceOf(IllegalStateException.class).hasMessage("session closed");
        }
        assertThatThrownBy(() -> s.remove("a")).isInstanceOf(IllegalStateException.class).hasMessage("session closed");
        assertThat(layer.log()).isEqualTo(afterClose);
    }

    @Test
    void openingClearsTheAutoclearBitsThisImplementationDoesNotKnow() throws IOException {
        // qcow2.txt: a writer that does not know an autoclear bit must clear it; bit 0 (bitmaps) is known
        MemoryWriteLayer mem = new MemoryWriteLayer(CraftedImage.edited(image(), b -> b.putLong(88, 0b101)));
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(mem, w -> { })) {
            assertThat(s.image().autoclearFeatures()).isEqualTo(1);
            assertThat(s.bitmaps()).extracting(LoadedBitmap::name).containsExactly("a", "stale");
        }
        assertThat(java.nio.ByteBuffer.wrap(mem.toByteArray()).getLong(88)).isEqualTo(1);
    }

    @Test
    void aFailedOpenClosesTheDevice() {
        LoggingWriteLayer layer = new LoggingWriteLayer(new byte[50]);
        assertThatThrownBy(() -> Qcow2BitmapSession.openReadWrite(layer, w -> { }))
                .isInstanceOf(Qcow2FormatException.class);
        assertThat(layer.log()).containsExactly("close");
    }
}
