package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** {@link Qcow2Image#physicalBitmaps}: what is on the image, even where QEMU would ignore it. */
class Qcow2PhysicalBitmapsTest {

    static final int CS = 1 << 16;

    static Qcow2Bitmap bitmap(String name, boolean enabled, int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return new Qcow2Bitmap(name, 16, enabled, b);
    }

    static final Qcow2Bitmap A = bitmap("a", true, 1);
    static final Qcow2Bitmap B = bitmap("b", false, 2, 3);

    @Test
    void aConsistentImageShowsEveryEntryWithItsDataEvenWhenInUse() throws IOException {
        try (Qcow2Image img = CraftedImage.open(CraftedImage.withBitmaps(1L << 30, 16, A, B))) {
            img.updateFlagsInPlace(Map.of("a", BitmapDirectoryEntry.FLAG_IN_USE | BitmapDirectoryEntry.FLAG_AUTO));
            Map<String, BitmapDirectoryEntry> entries = new HashMap<>();
            SortedMap<String, Qcow2Bitmap> found = img.physicalBitmaps(entries);
            assertThat(found).containsExactly(Map.entry("a", A), Map.entry("b", B));
            assertThat(entries.get("a").flags()).isEqualTo(3);
            assertThat(entries.get("b").flags()).isZero();
        }
    }

    @Test
    void withAutoclearBit0ClearTheEntriesAreShownAndTheImageViewIsLeftAsItWas() throws IOException {
        // a: data 4, table 5; b: data 6, table 7; directory 8; all leak while bit 0 is clear
        try (Qcow2Image img = CraftedImage.open(CraftedImage.withBitmaps(1L << 30, 16, A, B))) {
            img.clearAutoclearBit0();
            List<Long> leaked = List.of(4L * CS, 5L * CS, 6L * CS, 7L * CS, 8L * CS);
            assertThat(img.allocatedButUnreferenced()).isEqualTo(leaked);
            for (int round = 0; round < 2; round++) {
                Map<String, BitmapDirectoryEntry> entries = new HashMap<>();
                assertThat(img.physicalBitmaps(entries)).containsExactly(Map.entry("a", A), Map.entry("b", B));
                assertThat(entries.get("a").flags()).isEqualTo(BitmapDirectoryEntry.FLAG_AUTO);
                assertThat(img.bitmaps()).isEmpty();
                assertThat(img.allocatedButUnreferenced()).isEqualTo(leaked);
            }
        }
    }

    @Test
    void anImageWithoutTheExtensionShowsNothing() throws IOException {
        try (Qcow2Image img = CraftedImage.open(CraftedImage.withBitmaps(1L << 30, 16))) {
            Map<String, BitmapDirectoryEntry> entries = new HashMap<>();
            assertThat(img.physicalBitmaps(entries)).isEmpty();
            assertThat(entries).isEmpty();
        }
    }
}
