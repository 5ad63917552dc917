package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.impl.hbitmap.HBitmap.Fault;
import java.util.BitSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one-word fast paths of set and reset (a word on a page that exists, no seeded fault), the iterator's split
 * between the current word and the move to another, and the merge that visits only the source's non-zero words.
 * Each result is checked against the bits, the count and the reads of a bitmap built granule by granule.
 */
class HBitmapFastPathTest {
    /** Granules per page of last-level words. */
    private static final long PAGE_GRANULES = 64L * Words.PAGE_WORDS;

    /** Count, bits, iteration and its reads against a bitmap built by one-granule sets. */
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
    void aOneWordSetOnAnAllocatedPageMarksAZeroWordAboveAndCountsOnlyNewBits() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        BitSet expected = new BitSet();
        hb.set(1, 1); // allocates page 0 and the pages above it
        expected.set(1);
        hb.set(64 * 70 + 3, 5); // word 70 was zero: its bit goes up two levels (a new group of 64 words)
        expected.set(64 * 70 + 3, 64 * 70 + 8);
        assertConsistentWith(hb, expected);
        hb.set(64 * 70 + 5, 6); // overlaps: only 3 new bits
        expected.set(64 * 70 + 5, 64 * 70 + 11);
        assertThat(hb.countGranules()).isEqualTo(expected.cardinality());
        hb.set(64 * 70 + 4, 2); // nothing new
        assertConsistentWith(hb, expected);
    }

    @Test
    void aLongRangeWhoseEndWordIsSixtyFourTimesItsStartGranuleIsSetWhole() {
        // Granules [1, 4096]: the first word index shifted the wrong way (1 << 6 = 64) would equal the last word's.
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(64 * 64 + 100, 1); // word 64's page exists
        hb.set(1, 4096);
        BitSet expected = new BitSet();
        expected.set(1, 4097);
        expected.set(64 * 64 + 100);
        assertConsistentWith(hb, expected);
    }

    @Test
    void aOneWordResetCountsOnlyClearedBitsAndUnmarksAWordThatBecomesZero() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(64 * 3, 64);
        hb.set(64 * 200 + 10, 4);
        BitSet expected = new BitSet();
        expected.set(64 * 3, 64 * 4);
        expected.set(64 * 200 + 10, 64 * 200 + 14);
        hb.reset(64 * 3 + 8, 8); // the word stays non-zero
        expected.clear(64 * 3 + 8, 64 * 3 + 16);
        assertConsistentWith(hb, expected);
        hb.reset(64 * 3 + 8, 16); // half of it was clean already
        expected.clear(64 * 3 + 8, 64 * 3 + 24);
        assertConsistentWith(hb, expected);
        hb.reset(64 * 200, 64); // the word becomes zero: its group above empties too
        expected.clear(64 * 200, 64 * 201);
        assertConsistentWith(hb, expected);
        hb.reset(64 * 200, 64); // a zero word on an allocated page: nothing changes
        assertConsistentWith(hb, expected);
    }

    @Test
    void aOneWordResetOnAnAbsentPageAllocatesNothing() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(3, 1);
        int pages = hb.allocatedPages();
        hb.reset(PAGE_GRANULES + 64, 64);
        assertThat(hb.allocatedPages()).isEqualTo(pages);
        assertConsistentWith(hb, BitSet.valueOf(new long[] {1L << 3}));
    }

    @Test
    void aBitmapWithAFaultTakesTheGeneralPathForOneWordSetsAndResets() {
        HBitmap overcounting = HBitmap.create(256, 0, Set.of(Fault.COUNT_OFF_AFTER_OVERLAPPING_SET));
        overcounting.set(0, 8);
        overcounting.set(4, 8);
        assertThat(overcounting.countGranules()).as("8 + 8, the fault's count").isEqualTo(16);

        HBitmap stale = HBitmap.create(256, 0, Set.of(Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET));
        stale.set(64 + 1, 1);
        stale.reset(64, 64);
        stale.resetWordsVisited();
        assertThat(stale.iterator(0).next()).isEqualTo(-1);
        HBitmap clean = HBitmap.create(256, 0);
        clean.set(64 + 1, 1);
        clean.reset(64, 64);
        clean.resetWordsVisited();
        assertThat(clean.iterator(0).next()).isEqualTo(-1);
        // The start reads a word per level (7). Then the clean bitmap's next() reads the current word and climbs six
        // levels (14); the stale one reads the current word, the stale summary word and the zero word it points to,
        // where the iteration ends (10).
        assertThat(clean.wordsVisited()).isEqualTo(14);
        assertThat(stale.wordsVisited()).as("the stale summary bit is followed").isEqualTo(10);
    }

    @Test
    void iterationTakesEveryBitOfAWordThenMovesOnWithinAndAcrossGroupsAndPages() {
        HBitmap hb = HBitmap.create(3 * PAGE_GRANULES, 0);
        BitSet expected = new BitSet();
        long[] granules = {0, 1, 63, 64, 64 * 63 + 5, 64 * 64, 64 * 64 * 2 + 9, PAGE_GRANULES - 1, PAGE_GRANULES + 2,
            3 * PAGE_GRANULES - 1};
        for (long g : granules) {
            hb.set(g, 1);
            expected.set((int) g);
        }
        assertConsistentWith(hb, expected);
        HBitmap.Iter it = hb.iterator(0);
        for (long g : granules) {
            assertThat(it.next()).isEqualTo(g);
        }
        assertThat(it.next()).isEqualTo(-1);
        assertThat(it.next()).isEqualTo(-1);
    }

    @Test
    void aBitClearedAfterTheIteratorEnteredItsWordIsNotReturned() {
        HBitmap hb = HBitmap.fromGranules(256, 0, 1, 2, 3, 70, 71);
        HBitmap.Iter it = hb.iterator(0);
        assertThat(it.next()).isEqualTo(1);
        hb.reset(0, 64);
        assertThat(it.next()).as("granules 2 and 3 are gone").isEqualTo(70);
        hb.reset(64, 64);
        assertThat(it.next()).isEqualTo(-1);
    }

    @Test
    void aMergeVisitsTheSourcesNonZeroWordsAndWritesOnlyWordsThatGainBits() {
        long size = 3 * PAGE_GRANULES;
        HBitmap src = HBitmap.create(size, 0);
        src.set(5, 3);
        src.set(64 * 9, 64);
        src.set(PAGE_GRANULES + 64 * 700 + 63, 2); // two words, one in a new group
        src.set(2 * PAGE_GRANULES - 1, 1);
        BitSet expected = src.toBitSet();

        HBitmap dst = HBitmap.create(size, 0);
        dst.set(6, 1); // inside the source's first word
        dst.set(64 * 30, 1); // a word the source does not have
        expected.set(64 * 30);
        dst.mergeFrom(src);
        assertConsistentWith(dst, expected);
        assertThat(dst.allocatedPages()).as("no page for the source's absent third page")
                .isEqualTo(2 + HBitmap.LEVELS - 1);
        dst.mergeFrom(src);
        assertConsistentWith(dst, expected);
    }

    @Test
    void aStaleSummaryBitOfTheSourceMergesNothing() {
        long size = 2 * PAGE_GRANULES;
        HBitmap src = HBitmap.create(size, 0, Set.of(Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET));
        src.set(PAGE_GRANULES + 64 * 3 + 1, 1);
        src.reset(PAGE_GRANULES + 64 * 3, 64); // the word is zero, its summary bit stays
        src.set(7, 1);
        HBitmap dst = HBitmap.create(size, 0);
        dst.mergeFrom(src);
        assertThat(dst.allocatedPages()).as("only granule 7's pages").isEqualTo(HBitmap.LEVELS);
        assertConsistentWith(dst, BitSet.valueOf(new long[] {1L << 7}));
    }

    @Test
    void aMergeIntoAPageThatExistsButHoldsOnlyZerosMarksTheWordsAbove() {
        long size = 2 * PAGE_GRANULES;
        HBitmap dst = HBitmap.create(size, 0);
        dst.set(PAGE_GRANULES + 64, 64);
        dst.reset(PAGE_GRANULES + 64, 64); // page 1 stays allocated, all zero
        HBitmap src = HBitmap.fromGranules(size, 0, PAGE_GRANULES + 64 * 900 + 1);
        dst.mergeFrom(src);
        assertConsistentWith(dst, src.toBitSet());
    }
}
