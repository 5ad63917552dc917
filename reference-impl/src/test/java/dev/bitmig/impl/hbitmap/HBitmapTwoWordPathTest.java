package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.impl.hbitmap.HBitmap.Fault;
import java.util.BitSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fast path of set and reset for a range in two neighbouring words of one page (both words ORed or cleared, no
 * branch on how many words there are), against a bitmap built granule by granule: bits, count, iteration and its
 * reads, which show stale or missing summary bits.
 */
class HBitmapTwoWordPathTest {
    private static final long PAGE_GRANULES = 64L * Words.PAGE_WORDS;

    private static void assertConsistentWith(HBitmap hb, BitSet expected) {
        HBitmap built = HBitmap.create(hb.size(), hb.granularity());
        expected.stream().forEach(g -> built.set((long) g << hb.granularity(), 1));
        assertThat(hb.countGranules()).isEqualTo(expected.cardinality());
        assertThat(hb.toBitSet()).isEqualTo(expected);
        hb.resetWordsVisited();
        built.resetWordsVisited();
        assertThat(ShadowBitmap.iterate(hb, 0)).isEqualTo(ShadowBitmap.iterate(built, 0));
        assertThat(hb.wordsVisited()).as("summary levels as set() builds them").isEqualTo(built.wordsVisited());
    }

    @Test
    void aSetAcrossTwoZeroWordsMarksBothAboveAndCountsEveryBit() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(0, 1); // page 0 exists
        BitSet expected = new BitSet();
        expected.set(0);
        hb.set(64 * 127 + 60, 10); // words 127 and 128: two groups of 64 words, both new
        expected.set(64 * 127 + 60, 64 * 127 + 70);
        assertConsistentWith(hb, expected);
        hb.set(64 * 300 + 62, 4); // words 300 and 301 of one group
        expected.set(64 * 300 + 62, 64 * 300 + 66);
        assertConsistentWith(hb, expected);
    }

    @Test
    void aSetAcrossTwoWordsCountsOnlyTheNewBitsOfEach() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(64 * 5 + 62, 1);
        hb.set(64 * 6 + 1, 1);
        BitSet expected = new BitSet();
        expected.set(64 * 5 + 62);
        expected.set(64 * 6 + 1);
        hb.set(64 * 5 + 60, 8); // granules 380..387: 62 and 385 were set
        expected.set(64 * 5 + 60, 64 * 5 + 68);
        assertThat(hb.countGranules()).isEqualTo(8);
        assertConsistentWith(hb, expected);
        hb.set(64 * 5 + 61, 4); // nothing new in either word
        assertConsistentWith(hb, expected);
        hb.set(64 * 5 + 63, 1); // one word, given twice to the two-word update
        assertConsistentWith(hb, expected);
    }

    @Test
    void aSetWhoseFirstWordHasItsBitsAlreadyStillCountsAndMarksTheSecond() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(64 * 5 + 60, 4); // granules 380..383: the top of word 5
        BitSet expected = new BitSet();
        expected.set(64 * 5 + 60, 64 * 5 + 64);
        hb.set(64 * 5 + 60, 8); // word 5 unchanged, word 6 was zero: granules 384..387
        expected.set(64 * 6, 64 * 6 + 4);
        assertThat(hb.countGranules()).isEqualTo(8);
        assertConsistentWith(hb, expected);
        hb.set(64 * 6 + 2, 64 + 3); // word 6 partly set already, word 7 was zero
        expected.set(64 * 6 + 2, 64 * 7 + 5);
        assertConsistentWith(hb, expected);
    }

    @Test
    void aSetWhoseSecondWordIsOnTheNextPageTakesTheGeneralPath() {
        HBitmap hb = HBitmap.create(3 * PAGE_GRANULES, 0);
        hb.set(0, 1);
        hb.set(PAGE_GRANULES - 3, 6); // the last word of page 0 and the first of page 1, which is allocated
        BitSet expected = new BitSet();
        expected.set(0);
        expected.set((int) PAGE_GRANULES - 3, (int) PAGE_GRANULES + 3);
        assertConsistentWith(hb, expected);
        assertThat(hb.allocatedPages()).isEqualTo(HBitmap.LEVELS + 1);
    }

    @Test
    void aResetAcrossTwoWordsClearsBothAndUnmarksTheOneThatBecomesZero() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(64 * 9, 64 * 2); // words 9 and 10 full
        hb.set(64 * 63 + 60, 2); // word 63: last of its group
        hb.set(64 * 64, 3); // word 64: first of the next group
        BitSet expected = new BitSet();
        expected.set(64 * 9, 64 * 11);
        expected.set(64 * 63 + 60, 64 * 63 + 62);
        expected.set(64 * 64, 64 * 64 + 3);
        hb.reset(64 * 9 + 32, 64); // both words keep bits
        expected.clear(64 * 9 + 32, 64 * 10 + 32);
        assertConsistentWith(hb, expected);
        hb.reset(64 * 63, 64 + 2); // word 63 becomes zero, word 64 keeps one bit
        expected.clear(64 * 63, 64 * 64 + 2);
        assertConsistentWith(hb, expected);
        hb.reset(64 * 63, 128); // word 64 becomes zero too: its group empties
        expected.clear(64 * 63, 64 * 65);
        assertConsistentWith(hb, expected);
        hb.reset(64 * 9, 64 * 2); // both become zero
        expected.clear(64 * 9, 64 * 11);
        assertConsistentWith(hb, expected);
        assertThat(hb.isEmpty()).isTrue();
    }

    @Test
    void aResetWhoseFirstWordIsCleanAlreadyStillClearsTheSecond() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(64 * 5, 10);
        hb.set(64 * 6, 4); // word 6: granules 384..387 only
        BitSet expected = new BitSet();
        expected.set(64 * 5, 64 * 5 + 10);
        hb.reset(64 * 5 + 60, 8); // word 5's top is clean, word 6 becomes zero
        assertThat(hb.countGranules()).isEqualTo(10);
        assertConsistentWith(hb, expected);
    }

    @Test
    void aResetInsideOneWordGivenTwiceClearsOnlyItsRange() {
        HBitmap hb = HBitmap.create(PAGE_GRANULES, 0);
        hb.set(64 * 4, 64);
        hb.reset(64 * 4 + 10, 20);
        BitSet expected = new BitSet();
        expected.set(64 * 4, 64 * 5);
        expected.clear(64 * 4 + 10, 64 * 4 + 30);
        assertConsistentWith(hb, expected);
        assertThat(hb.countGranules()).isEqualTo(44);
    }

    @Test
    void aFaultyBitmapKeepsItsFaultOnTwoWordRanges() {
        // COUNT_OFF_AFTER_OVERLAPPING_SET counts already set granules again: only the general path does that.
        HBitmap counted = HBitmap.create(PAGE_GRANULES, 0, Set.of(Fault.COUNT_OFF_AFTER_OVERLAPPING_SET));
        counted.set(64 * 2 + 62, 4);
        counted.set(64 * 2 + 62, 4);
        assertThat(counted.countGranules()).isEqualTo(8);
        // UPPER_LEVEL_NOT_CLEARED_ON_RESET leaves the summary bits of emptied words set: iteration stops at them.
        HBitmap stale = HBitmap.create(PAGE_GRANULES, 0, Set.of(Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET));
        stale.set(64 * 2 + 62, 4);
        stale.set(64 * 40, 1);
        stale.reset(64 * 2 + 62, 4);
        assertThat(ShadowBitmap.iterate(stale, 0)).isEmpty();
    }
}
