package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cost counters: words read by iteration and searches, and pages allocated (util/hbitmap.c's lazy levels). */
class HBitmapCostCountersTest {

    @Test
    void settingOneBitAllocatesOnePagePerLevelAndClearingDeserializedZeroesAllocatesNone() {
        HBitmap hb = HBitmap.create(1L << 20, 0);
        hb.deserializeZeroes(0, 1L << 20, true);
        assertThat(hb.allocatedPages()).isZero();
        hb.set(12345, 1);
        assertThat(hb.allocatedPages()).isEqualTo(HBitmap.LEVELS);
    }

    @Test
    void iterationCountsEveryWordItReadsOnEveryLevel() {
        // 8192 granules: 128 last-level words, two words on level 5, one word above. Granules 0 and 8191 are dirty.
        HBitmap hb = HBitmap.fromGranules(8192, 0, 0, 8191);
        hb.resetWordsVisited();
        HBitmap.Iter it = hb.iterator(0);
        assertThat(hb.wordsVisited()).as("the start reads one word per level").isEqualTo(HBitmap.LEVELS);
        assertThat(it.next()).isZero();
        assertThat(hb.wordsVisited()).as("granule 0 is in the current word").isEqualTo(8);
        assertThat(it.next()).isEqualTo(8191);
        // One read of the current word, two climbing (levels 5 and 4), two descending (levels 5 and 6).
        assertThat(hb.wordsVisited()).isEqualTo(13);
        assertThat(it.next()).isEqualTo(-1);
        // One read of the current word, then six climbing up to level 0.
        assertThat(hb.wordsVisited()).isEqualTo(20);
    }

    @Test
    void aSearchOfAFullBitmapReadsEachOfItsWordsOnceAndFindsNoZero() {
        HBitmap hb = HBitmap.create(192, 0);
        hb.set(0, 192);
        hb.resetWordsVisited();
        assertThat(hb.nextZero(0, 192)).isEqualTo(-1);
        assertThat(hb.wordsVisited()).isEqualTo(3);
    }

    @Test
    void queriesAtTheEndOfTheBitmapReadNothing() {
        HBitmap hb = HBitmap.create(64, 0);
        hb.set(0, 64);
        hb.resetWordsVisited();
        assertThat(hb.iterator(64).next()).isEqualTo(-1);
        assertThat(hb.nextDirty(64, 10)).isEqualTo(-1);
        // The iterator starts past the end and reads nothing; next() reads the current word and climbs six levels;
        // nextDirty answers without an iterator.
        assertThat(hb.wordsVisited()).isEqualTo(7);
    }
}
