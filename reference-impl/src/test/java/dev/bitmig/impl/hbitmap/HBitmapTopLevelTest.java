package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The top level only matters past 2^36 granules, where level 1 has a second word. A bitmap of 2^37 granules is still
 * cheap here: untouched pages are never allocated.
 */
class HBitmapTopLevelTest {
    private static final long SIZE = 1L << 37;
    private static final long FAR = (1L << 36) + 5;

    @Test
    void iterationClimbsToTheTopLevelToFindAGranuleInTheSecondHalf() {
        HBitmap hb = HBitmap.fromGranules(SIZE, 0, 3, FAR);
        HBitmap.Iter it = hb.iterator(0);
        assertThat(it.next()).isEqualTo(3);
        assertThat(it.next()).isEqualTo(FAR);
        assertThat(it.next()).isEqualTo(-1);
        assertThat(hb.iterator(4).next()).isEqualTo(FAR);
    }

    @Test
    void deserializationRebuildsTheTopLevelToo() {
        HBitmap hb = HBitmap.create(SIZE, 0);
        byte[] word = {0x20, 0, 0, 0, 0, 0, 0, 0}; // bit 5 of the word that starts at granule 2^36
        hb.deserializePart(word, 1L << 36, 64, true);
        assertThat(hb.countGranules()).isEqualTo(1);
        assertThat(hb.iterator(0).next()).isEqualTo(FAR);
    }

    @Test
    void aBitSetHoldsUpTo2To31Granules() {
        // Kept clean: a BitSet with its last bit set would need 256 MiB.
        assertThat(HBitmap.create(Integer.MAX_VALUE, 0).toBitSet().isEmpty()).isTrue();
        assertThatThrownBy(() -> HBitmap.create(SIZE, 0).toBitSet()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not fit a BitSet");
    }
}
