package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Calls the image refuses, and the proof that a refused call wrote nothing. */
class Qcow2RefusedUpdatesTest {

    static final Qcow2Bitmap A = new Qcow2Bitmap("a", 16, true, new BitSet());

    interface Update {
        void apply(Qcow2Image img) throws IOException;
    }

    static final List<Update> EVERY_UPDATE = List.of(
            img -> img.storeBitmaps(List.of(new Qcow2Bitmap("b", 16, true, new BitSet())), Set.of()),
            img -> img.removeBitmap("a"),
            img -> img.updateFlagsInPlace(Map.of("a", BitmapDirectoryEntry.FLAG_IN_USE)),
            Qcow2Image::dropBitmapsExtension,
            Qcow2Image::clearUnknownAutoclearBits,
            Qcow2Image::clearAutoclearBit0);

    @Test
    void noUpdateTouchesAnImageMarkedDirtyOrCorrupt() throws IOException {
        // qcow2.txt: with incompatible bit 0 (dirty) the refcounts must be repaired first; bit 1 (corrupt) allows
        // read-only access only
        for (long bit : new long[] {Qcow2Image.INCOMPATIBLE_DIRTY, Qcow2Image.INCOMPATIBLE_CORRUPT}) {
            byte[] img = CraftedImage.edited(CraftedImage.withBitmaps(1L << 30, 16, A),
                    b -> b.putLong(72, bit).putLong(88, 0b11));
            for (Update u : EVERY_UPDATE) {
                LoggingWriteLayer layer = new LoggingWriteLayer(img);
                Qcow2Image opened = Qcow2Image.open(layer);
                assertThatThrownBy(() -> u.apply(opened)).isInstanceOf(IOException.class)
                        .hasMessage("image has the dirty or corrupt incompatible feature bit set; repair it first");
                assertThat(layer.log()).isEmpty();
            }
        }
    }

    @Test
    void afterACrashedUpdateTheImageRefusesReadsAndUpdates() throws IOException {
        CrashingWriteLayer layer = new CrashingWriteLayer(new MemoryWriteLayer(CraftedImage.withBitmaps(1L << 30,
                16, A))).crashAfter(0);
        Qcow2Image img = Qcow2Image.open(layer);
        assertThatThrownBy(() -> img.removeBitmap("a")).isInstanceOf(SimulatedCrash.class);
        assertThat(layer.crashed()).isTrue();
        String reopen = "an earlier update failed; reopen the image";
        assertThatThrownBy(() -> img.readBitmap("a")).isInstanceOf(IllegalStateException.class).hasMessage(reopen);
        assertThatThrownBy(() -> img.physicalBitmaps(new HashMap<>())).isInstanceOf(IllegalStateException.class)
                .hasMessage(reopen);
        for (Update u : EVERY_UPDATE) {
            assertThatThrownBy(() -> u.apply(img)).isInstanceOf(IllegalStateException.class).hasMessage(reopen);
        }
        assertThat(layer.writes()).isZero();
    }

    @Test
    void anInUseBitmapIsNotRead() throws IOException {
        try (Qcow2Image img = CraftedImage.open(CraftedImage.withBitmaps(1L << 30, 16, A))) {
            img.updateFlagsInPlace(Map.of("a", BitmapDirectoryEntry.FLAG_IN_USE));
            assertThatThrownBy(() -> img.readBitmap("a")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("bitmap 'a' is IN_USE: its data may be inconsistent");
        }
    }

    @Test
    void aMissingBitmapIsNeitherReadNorRemoved() throws IOException {
        LoggingWriteLayer layer = new LoggingWriteLayer(CraftedImage.withBitmaps(1L << 30, 16, A));
        Qcow2Image img = Qcow2Image.open(layer);
        assertThatThrownBy(() -> img.readBitmap("x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no bitmap 'x' in the image");
        assertThatThrownBy(() -> img.removeBitmap("x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no bitmap 'x' in the image");
        assertThat(layer.log()).isEmpty();
    }

    @Test
    void inPlaceFlagUpdatesNeedAConsistentExtensionKnownNamesAndNoReservedFlags() throws IOException {
        LoggingWriteLayer layer = new LoggingWriteLayer(CraftedImage.withBitmaps(1L << 30, 16, A));
        Qcow2Image img = Qcow2Image.open(layer);
        assertThatThrownBy(() -> img.updateFlagsInPlace(Map.of("a", 4))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reserved flags 0x4");
        assertThatThrownBy(() -> img.updateFlagsInPlace(Map.of("a", 1, "x", 1, "y", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no bitmaps [x, y] in the image");
        assertThat(layer.log()).isEmpty();

        LoggingWriteLayer fresh = new LoggingWriteLayer(CraftedImage.withBitmaps(1L << 30, 16));
        Qcow2Image none = Qcow2Image.open(fresh);
        assertThatThrownBy(() -> none.updateFlagsInPlace(Map.of())).isInstanceOf(IllegalStateException.class)
                .hasMessage("no consistent bitmaps extension to update");
        assertThat(fresh.log()).isEmpty();
    }
}
