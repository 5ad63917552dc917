package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The page-wise paths (util/hbitmap.c's operations over whole pages of words): ranges that cross a page of
 * {@value Words#PAGE_WORDS} words, merges and deserialization that only touch the levels above for words that became
 * zero or non-zero, and absent pages that stay absent.
 */
class HBitmapPageWiseTest {
    /** Granules per page of last-level words. */
    private static final long PAGE_GRANULES = 64L * Words.PAGE_WORDS;

    /** A fresh bitmap's iteration over nothing: the start reads one word per level, next() then climbs to the top. */
    private static long emptyIterationReads(long size) {
        HBitmap empty = HBitmap.create(size, 0);
        assertThat(empty.iterator(0).next()).isEqualTo(-1);
        return empty.wordsVisited();
    }

    /** Iterates, and checks the answer against the bits and the reads against a bitmap built by set alone. */
    private static void assertConsistentWith(HBitmap hb, BitSet expected) {
        HBitmap built = HBitmap.create(hb.size(), hb.granularity());
        expected.stream().forEach(g -> built.set((long) g << hb.granularity(), 1));
        assertThat(hb.countGranules()).isEqualTo(expected.cardinality());
        hb.resetWordsVisited();
        assertThat(ShadowBitmap.iterate(hb, 0)).isEqualTo(ShadowBitmap.iterate(built, 0));
        assertThat(hb.wordsVisited()).as("summary levels as set() builds them").isEqualTo(built.wordsVisited());
        assertThat(hb.toBitSet()).isEqualTo(expected);
    }

    @Test
    void setAndResetAcrossAPageBoundaryCountAndSummarizeEveryWord() {
        long size = 3 * PAGE_GRANULES;
        HBitmap hb = HBitmap.create(size, 0);
        BitSet expected = new BitSet();
        hb.set(PAGE_GRANULES - 100, 200);
        expected.set((int) PAGE_GRANULES - 100, (int) PAGE_GRANULES + 100);
        hb.set(PAGE_GRANULES - 1, 2); // already set: adds nothing
        assertConsistentWith(hb, expected);
        hb.reset(PAGE_GRANULES - 64, 128); // two whole words, one each side of the boundary
        expected.clear((int) PAGE_GRANULES - 64, (int) PAGE_GRANULES + 64);
        assertConsistentWith(hb, expected);
        hb.reset(PAGE_GRANULES - 100, 36);
        hb.reset(PAGE_GRANULES + 64, 36);
        assertConsistentWith(hb, new BitSet());
        assertThat(hb.isEmpty()).isTrue();
    }

    @Test
    void aResetOverAnAbsentPageReadsNothingThereAndClearsTheRest() {
        long size = 3 * PAGE_GRANULES;
        HBitmap hb = HBitmap.create(size, 0);
        hb.set(5, 1);
        hb.set(2 * PAGE_GRANULES + 7, 1);
        int pages = hb.allocatedPages();
        hb.reset(0, size);
        assertThat(hb.allocatedPages()).as("the absent middle page stays absent").isEqualTo(pages);
        assertConsistentWith(hb, new BitSet());
    }

    @Test
    void mergingPagesCountsOnlyTheNewBitsAndSummarizesWordsThatWereZero() {
        long size = 4 * PAGE_GRANULES;
        Random r = new Random(7);
        BitSet a = new BitSet();
        BitSet b = new BitSet();
        for (int i = 0; i < 300; i++) {
            a.set(r.nextInt((int) (2 * PAGE_GRANULES))); // pages 0 and 1 only
            b.set((int) PAGE_GRANULES + r.nextInt((int) (2 * PAGE_GRANULES))); // pages 1 and 2 only
        }
        HBitmap ha = HBitmap.fromBitSet(size, 0, a);
        HBitmap hb = HBitmap.fromBitSet(size, 0, b);
        BitSet union = (BitSet) a.clone();
        union.or(b);

        HBitmap into = ha.copy();
        into.mergeFrom(hb);
        assertConsistentWith(into, union);
        into.mergeFrom(hb);
        assertConsistentWith(into, union);

        HBitmap result = HBitmap.create(size, 0);
        result.set(3 * PAGE_GRANULES + 1, 1); // dropped: the result is a | b
        HBitmap.merge(ha, hb, result);
        assertConsistentWith(result, union);
        HBitmap.merge(hb, ha, hb);
        assertConsistentWith(hb, union);
    }

    @Test
    void aMergeAllocatesNoPageForASourcePageThatHoldsOnlyZeros() {
        long size = 2 * PAGE_GRANULES;
        HBitmap src = HBitmap.create(size, 0);
        src.set(PAGE_GRANULES + 3, 1);
        src.reset(PAGE_GRANULES, 64); // the page stays allocated, all zero
        src.set(0, 1);
        HBitmap dst = HBitmap.create(size, 0);
        dst.mergeFrom(src);
        assertThat(dst.allocatedPages()).as("one page per level for granule 0").isEqualTo(HBitmap.LEVELS);
        assertConsistentWith(dst, BitSet.valueOf(new long[] {1}));
    }

    @Test
    void deserializingZerosOverDirtyWordsClearsTheSummaryLevelsAbove() {
        long size = 2 * PAGE_GRANULES;
        HBitmap hb = HBitmap.create(size, 0);
        hb.set(3, 1);
        hb.set(PAGE_GRANULES + 64 * 5 + 1, 70);
        hb.deserializePart(new byte[Words.PAGE_WORDS * Long.BYTES], PAGE_GRANULES, PAGE_GRANULES, false);
        assertConsistentWith(hb, BitSet.valueOf(new long[] {1L << 3}));
        hb.deserializeZeroes(0, PAGE_GRANULES, true);
        assertThat(hb.isEmpty()).isTrue();
        hb.resetWordsVisited();
        assertThat(hb.iterator(0).next()).isEqualTo(-1);
        assertThat(hb.wordsVisited()).as("no stale summary bit is followed").isEqualTo(emptyIterationReads(size));
    }

    @Test
    void deserializingZerosIntoAnAbsentPageAllocatesNothingAndOnesMaskTheTail() {
        long size = PAGE_GRANULES + 70; // the last word holds 6 granules
        HBitmap hb = HBitmap.create(size, 0);
        hb.deserializePart(new byte[Words.PAGE_WORDS * Long.BYTES], 0, PAGE_GRANULES, true);
        assertThat(hb.allocatedPages()).isZero();
        hb.deserializeOnes(PAGE_GRANULES, 70, true);
        BitSet expected = new BitSet();
        expected.set((int) PAGE_GRANULES, (int) size);
        assertConsistentWith(hb, expected);

        byte[] words = new byte[2 * Long.BYTES];
        ByteBuffer.wrap(words).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 63).putLong(8, -1L);
        hb.deserializePart(words, PAGE_GRANULES, 70, true);
        expected.clear((int) PAGE_GRANULES, (int) PAGE_GRANULES + 63);
        assertConsistentWith(hb, expected);
    }

    @Test
    void serializationWritesAbsentPagesAsZerosBetweenPresentOnes() {
        long size = 3 * PAGE_GRANULES;
        HBitmap hb = HBitmap.create(size, 0);
        hb.set(1, 1);
        hb.set(2 * PAGE_GRANULES + 2, 1);
        byte[] buf = new byte[(int) hb.serializationSize(0, size)];
        java.util.Arrays.fill(buf, (byte) 0x5A);
        hb.serializePart(buf, 0, size);
        long[] words = new long[buf.length / Long.BYTES];
        ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words);
        long[] expected = new long[words.length];
        expected[0] = 1L << 1;
        expected[2 * Words.PAGE_WORDS] = 1L << 2;
        assertThat(words).isEqualTo(expected);
    }

    @Test
    void aRangeOfManyWordsStartingInsideItsFirstWordIsSetAndResetWhole() {
        HBitmap hb = HBitmap.create(8192, 0);
        hb.set(1, 4159); // granules 1..4159: words 0..64, the first and the last only in part
        BitSet expected = new BitSet();
        expected.set(1, 4160);
        assertConsistentWith(hb, expected);
        hb.set(0, 8192);
        hb.reset(1, 4159);
        expected.set(0, 8192);
        expected.clear(1, 4160);
        assertConsistentWith(hb, expected);
    }

    @Test
    void aRangeEndingInTheFirstWordOfAPageReachesThatWord() {
        HBitmap hb = HBitmap.create(2 * PAGE_GRANULES, 0);
        hb.set(PAGE_GRANULES - 64, 65); // the last word of page 0 and the first granule of page 1
        BitSet expected = new BitSet();
        expected.set((int) PAGE_GRANULES - 64, (int) PAGE_GRANULES + 1);
        assertConsistentWith(hb, expected);
        hb.set(PAGE_GRANULES + 1, 63);
        hb.reset(PAGE_GRANULES - 64, 128);
        assertConsistentWith(hb, new BitSet());
    }

    @Test
    void theNextWordOfTheSameGroupCostsThreeReads() {
        HBitmap hb = HBitmap.fromGranules(8192, 0, 0, 130);
        HBitmap.Iter it = hb.iterator(0);
        assertThat(it.next()).isZero();
        long before = hb.wordsVisited();
        assertThat(it.next()).isEqualTo(130);
        // The exhausted current word, its summary word one level up, and word 2 below it.
        assertThat(hb.wordsVisited() - before).isEqualTo(3);
    }

    @Test
    void aStaleSummaryTwoLevelsUpEndsTheIterationWithoutReturningABogusItem() {
        // The seeded fault leaves level 5's word 1 pointing at the words of granules 4096..8191 after they are reset.
        HBitmap hb = HBitmap.create(3 * 4096, 0, Set.of(HBitmap.Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET));
        hb.set(4096 + 70, 1);
        hb.reset(4096, 4096);
        hb.set(0, 1);
        HBitmap.Iter it = hb.iterator(0);
        assertThat(it.next()).isZero();
        long before = hb.wordsVisited();
        assertThat(it.next()).as("the iteration stops early, as QEMU's does with stale levels").isEqualTo(-1);
        // The current word; level 5's word 0 and level 4's word climbing; level 5's word 1 and the zero word 65
        // descending.
        assertThat(hb.wordsVisited() - before).isEqualTo(5);
    }

    @Test
    void aWordThatBecomesZeroClearsItsBitOnEveryLevelUpToTheTop() {
        // 2^37 granules: level 1 has three words, so level 0 has a bit for each (sparse: only a few pages exist).
        long size = 1L << 37;
        long far = (1L << 36) + 5; // level 1's word 1
        HBitmap hb = HBitmap.fromGranules(size, 0, 0, far);
        hb.reset(far, 1);
        HBitmap only0 = HBitmap.fromGranules(size, 0, 0);
        hb.resetWordsVisited();
        assertThat(ShadowBitmap.iterate(hb, 0)).containsExactly(0L);
        assertThat(ShadowBitmap.iterate(only0, 0)).containsExactly(0L);
        assertThat(hb.wordsVisited()).as("no stale bit left on level 0").isEqualTo(only0.wordsVisited());
    }

    @Test
    void oneDeserializationOfSeveralPagesReadsEachPageFromItsOwnOffset() {
        long size = 3 * PAGE_GRANULES;
        byte[] buf = new byte[3 * Words.PAGE_WORDS * Long.BYTES];
        ByteBuffer le = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        le.putLong((Words.PAGE_WORDS + 3) * Long.BYTES, 0xF0L); // page 0 all zero, data on pages 1 and 2
        le.putLong((2 * Words.PAGE_WORDS + 1) * Long.BYTES, 1L << 40);
        HBitmap hb = HBitmap.create(size, 0);
        hb.deserializePart(buf, 0, size, true);
        assertThat(hb.allocatedPages()).as("the zero page is not allocated").isEqualTo(2 + HBitmap.LEVELS - 1);
        BitSet expected = new BitSet();
        for (int b = 4; b < 8; b++) {
            expected.set((int) PAGE_GRANULES + 3 * 64 + b);
        }
        expected.set((int) (2 * PAGE_GRANULES) + 64 + 40);
        assertConsistentWith(hb, expected);
    }

    @Test
    void aChunkStartingInsideAPageReadsTheNextPageFromTheRightOffset() {
        long size = 2 * PAGE_GRANULES;
        long start = 1000 * 64; // word 1000: 24 words on page 0, then 24 on page 1
        byte[] buf = new byte[48 * Long.BYTES];
        ByteBuffer le = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        le.putLong((24 + 3) * Long.BYTES, 0x5L); // word 1027
        BitSet expected = new BitSet();
        expected.set((int) (1027 * 64));
        expected.set((int) (1027 * 64) + 2);

        HBitmap absent = HBitmap.create(size, 0); // page 0 absent and only zeros for it: skipped
        absent.deserializePart(buf, start, 48 * 64, true);
        assertConsistentWith(absent, expected);

        le.putLong(Long.BYTES, 1L << 9); // word 1001, so page 0 is written word by word too
        expected.set(1001 * 64 + 9);
        HBitmap present = HBitmap.create(size, 0);
        present.set(0, 1);
        present.deserializePart(buf, start, 48 * 64, true);
        expected.set(0);
        assertConsistentWith(present, expected);
    }
}
