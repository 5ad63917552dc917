package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each refused argument is refused for its own reason, and the empty cases are accepted as no-ops. */
class HBitmapArgumentChecksTest {

    @Test
    void aNegativeSizeIsRefusedAsNegative() {
        assertThatThrownBy(() -> HBitmap.create(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> HBitmap.create(10, 0).truncate(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }

    @Test
    void granularityShiftsFrom0To63AreAcceptedAndOthersRefused() {
        assertThat(HBitmap.create(10, 63).sizeInGranules()).isEqualTo(1);
        for (int shift : new int[] {-1, 64}) {
            assertThatThrownBy(() -> HBitmap.create(10, shift)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("granularity shift must be in [0, 63]");
        }
    }

    @Test
    void granulesOutsideTheBitmapAreRefused() {
        assertThat(HBitmap.fromGranules(100, 0, 0, 99).dirtyGranules()).containsExactly(0, 99);
        for (long g : new long[] {-1, 100}) {
            assertThatThrownBy(() -> HBitmap.fromGranules(100, 0, g)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("granule " + g + " outside [0, 100)");
        }
    }

    @Test
    void aBitSetGivesTheSameBitmapAsItsGranules() {
        BitSet bs = new BitSet();
        bs.set(3);
        bs.set(70);
        HBitmap hb = HBitmap.fromBitSet(200, 1, bs);
        assertThat(hb.dirtyGranules()).containsExactly(3, 70);
        assertThat(hb.toBitSet()).isEqualTo(bs);
    }

    @Test
    void negativeStartsOfIterationsAndSearchesAreRefused() {
        HBitmap hb = HBitmap.create(100, 0);
        assertThatThrownBy(() -> hb.iterator(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> hb.nextDirty(-1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative argument");
        assertThatThrownBy(() -> hb.nextDirty(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative argument");
        assertThatThrownBy(() -> hb.nextZero(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative argument");
    }

    @Test
    void aResetPastTheEndIsRefusedAsOutside() {
        HBitmap hb = HBitmap.create(128, 0);
        assertThatThrownBy(() -> hb.reset(64, 128)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the bitmap of 128 items");
    }

    @Test
    void chunksWithANegativeStartOrCountAreInvalid() {
        HBitmap hb = HBitmap.create(256, 0);
        assertThatThrownBy(() -> hb.serializationSize(-64, 64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is invalid");
        assertThatThrownBy(() -> hb.serializationSize(0, -64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is invalid");
    }

    @Test
    void aOneItemChunkOfAOneItemBitmapIsOneWord() {
        assertThat(HBitmap.create(1, 0).serializationSize(0, 1)).isEqualTo(8);
    }

    @Test
    void aBufferShorterThanTheChunkIsRefusedBothWays() {
        HBitmap hb = HBitmap.create(128, 0);
        assertThatThrownBy(() -> hb.serializePart(new byte[8], 0, 128)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buffer of 8 bytes is smaller than the 16 bytes of the chunk");
        assertThatThrownBy(() -> hb.deserializePart(new byte[8], 0, 128, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buffer of 8 bytes is smaller than the 16 bytes of the chunk");
    }

    @Test
    void emptyChunksAreNoOpsForEverySerializationCall() {
        HBitmap hb = HBitmap.fromGranules(128, 0, 5);
        byte[] buf = {7};
        hb.serializePart(buf, 0, 0);
        assertThat(buf).containsExactly(7);
        hb.deserializePart(new byte[0], 0, 0, true);
        hb.deserializeZeroes(0, 0, true);
        hb.deserializeOnes(0, 0, true);
        assertThat(hb.dirtyGranules()).containsExactly(5);
    }

    @Test
    void anEmptyBitmapFinishesADeserializationWithNothingSet() {
        HBitmap hb = HBitmap.create(0, 0);
        hb.deserializeFinish();
        assertThat(hb.countGranules()).isZero();
    }

    @Test
    void bitmapsOfDifferentSizesOrGranularitiesNeverHaveTheSameBits() {
        HBitmap a = HBitmap.create(128, 0);
        assertThat(a.sameBits(HBitmap.create(128, 0))).isTrue();
        assertThat(a.sameBits(HBitmap.create(129, 0))).isFalse();
        assertThat(a.sameBits(HBitmap.create(128, 1))).isFalse();
    }

    @Test
    void theTextNamesSizeGranularityCountAndFaults() {
        HBitmap correct = HBitmap.fromGranules(100, 2, 1, 3);
        assertThat(correct).hasToString("HBitmap[size=100, granularity=2, dirtyGranules=2]");
        HBitmap faulty = HBitmap.create(100, 2, Set.of(HBitmap.Fault.ZERO_LENGTH_SET_RESET));
        assertThat(faulty.faults()).containsExactly(HBitmap.Fault.ZERO_LENGTH_SET_RESET);
        assertThat(faulty).hasToString("HBitmap[size=100, granularity=2, dirtyGranules=0, faults=[ZERO_LENGTH_SET_RESET]]");
    }
}
