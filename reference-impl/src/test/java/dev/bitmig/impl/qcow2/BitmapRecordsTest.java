package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The small records that carry bitmaps and directory entries. */
class BitmapRecordsTest {

    @Test
    void granulesCoverTheDiskRoundingUp() {
        assertThat(Qcow2Bitmap.granules(1L << 30, 12)).isEqualTo(262144);
        assertThat(Qcow2Bitmap.granules((1L << 30) + 1, 12)).isEqualTo(262145);
        assertThat(Qcow2Bitmap.granules(0, 9)).isZero();
        assertThat(Qcow2Bitmap.granules(1, 31)).isEqualTo(1);
    }

    @Test
    void granularityIsInBytes() {
        assertThat(new Qcow2Bitmap("a", 16, true, new BitSet()).granularity()).isEqualTo(65536);
        assertThat(new BitmapDirectoryEntry("a", 0, 0, 0, 1, 31, 0).granularity()).isEqualTo(1L << 31);
        assertThat(new LoadedBitmap("a", 12, true, false, new BitSet()).granularity()).isEqualTo(4096);
    }

    @Test
    void aConsistentLoadedBitmapHandsOutCopiesOfItsBits() {
        BitSet bits = new BitSet();
        bits.set(5);
        LoadedBitmap b = new LoadedBitmap("a", 16, true, false, bits);
        bits.set(6);
        assertThat(b.bits()).isEqualTo(bitSetOf(5));
        assertThat(b.data()).contains(bitSetOf(5));
        b.bits().set(7);
        b.data().orElseThrow().set(8);
        assertThat(b.bits()).isEqualTo(bitSetOf(5));
    }

    @Test
    void anInconsistentLoadedBitmapHasNoBits() {
        LoadedBitmap b = new LoadedBitmap("a", 16, false, true, null);
        assertThat(b.bits()).isNull();
        assertThat(b.data()).isEmpty();
        assertThatThrownBy(() -> new LoadedBitmap("a", 16, false, true, new BitSet()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoadedBitmap("a", 16, false, false, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static BitSet bitSetOf(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }
}
