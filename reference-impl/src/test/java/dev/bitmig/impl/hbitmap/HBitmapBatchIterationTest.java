package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.impl.hbitmap.HBitmap.Fault;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Iter.next(long[]): the same items as next(), in batches, each word read once per call. */
class HBitmapBatchIterationTest {
    private static final long PAGE_GRANULES = 64L * Words.PAGE_WORDS;

    /** Runs of 1 to 17 granules over three pages and a partial fourth, at granularity 2. */
    private static HBitmap runs(long seed, Set<Fault> faults) {
        HBitmap hb = HBitmap.create((3 * PAGE_GRANULES + 1000) << 2, 2, faults);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 400; i++) {
            long g = rnd.nextLong(hb.sizeInGranules() - 17);
            hb.set(g << 2, (1 + rnd.nextLong(17)) << 2);
        }
        hb.set(hb.size() - 1, 1); // the last granule
        return hb;
    }

    @Test
    void batchesOfEveryLengthReturnWhatNextReturnsAcrossWordsGroupsAndPages() {
        HBitmap hb = runs(7, Set.of());
        for (long start : new long[] {0, 5, 64 * 4 * 70 + 3, PAGE_GRANULES * 4 + 1, hb.size() - 1, hb.size()}) {
            List<Long> expected = ShadowBitmap.iterate(hb, start);
            for (int batch = 1; batch <= 70; batch++) {
                assertThat(ShadowBitmap.iterateInBatches(hb, start, batch)).as("from %d by %d", start, batch)
                        .isEqualTo(expected);
            }
            assertThat(ShadowBitmap.iterateInBatches(hb, start, 100_000)).isEqualTo(expected);
        }
    }

    @Test
    void anEmptyBatchReadsNothingAndReturnsZero() {
        HBitmap hb = runs(8, Set.of());
        HBitmap.Iter it = hb.iterator(0);
        hb.resetWordsVisited();
        assertThat(it.next(new long[0])).isZero();
        assertThat(hb.wordsVisited()).isZero();
        assertThat(it.next()).isEqualTo(ShadowBitmap.iterate(hb, 0).get(0));
    }

    @Test
    void aBatchReadsEachWordOnceAndEachSummaryWordOnce() {
        // 8192 granules: 128 last-level words, two words on level 5, one word above. Granules 0, 1 and 8191 are dirty.
        HBitmap hb = HBitmap.fromGranules(8192, 0, 0, 1, 8191);
        hb.resetWordsVisited();
        HBitmap.Iter it = hb.iterator(0);
        assertThat(hb.wordsVisited()).isEqualTo(HBitmap.LEVELS);
        long[] items = new long[10];
        assertThat(it.next(items)).isEqualTo(3);
        assertThat(items).startsWith(0, 1, 8191);
        // The current word and its summary word (2), the climb to level 4 and back down to word 127 (4), and the
        // climb to level 0 that finds nothing more (6). One call of next() per item would read 7 + 14.
        assertThat(hb.wordsVisited()).isEqualTo(HBitmap.LEVELS + 12);
        assertThat(it.next(items)).isZero();
    }

    @Test
    void aBatchCountsTheWordsItReadsWhetherItEndsFullOrAtTheEnd() {
        // Granules 0, 70 and 8191: words 0 and 1 of the first group, word 127 of the second.
        HBitmap hb = HBitmap.fromGranules(8192, 0, 0, 70, 8191);
        hb.resetWordsVisited();
        HBitmap.Iter it = hb.iterator(0);
        long[] two = new long[2];
        assertThat(it.next(two)).isEqualTo(2);
        assertThat(two).containsExactly(0, 70);
        // Word 0, its summary word, and word 1 found from the summary bits kept in the call: the batch is full.
        assertThat(hb.wordsVisited()).isEqualTo(HBitmap.LEVELS + 3);
        assertThat(it.next(two)).isEqualTo(1);
        assertThat(two[0]).isEqualTo(8191);
        // Word 1 and its summary word again, the climb to level 4 and down to word 127, the climb to the top.
        assertThat(hb.wordsVisited()).isEqualTo(HBitmap.LEVELS + 3 + 2 + 4 + 6);
    }

    @Test
    void aFullBatchLeavesTheRestOfTheWordForTheNextCall() {
        HBitmap hb = HBitmap.fromGranules(8192, 0, 3, 4, 5, 70, 71, 4000);
        HBitmap.Iter it = hb.iterator(0);
        long[] two = new long[2];
        assertThat(it.next(two)).isEqualTo(2);
        assertThat(two).containsExactly(3, 4);
        assertThat(it.next()).isEqualTo(5);
        assertThat(it.next(two)).isEqualTo(2);
        assertThat(two).containsExactly(70, 71);
        assertThat(it.next(two)).isEqualTo(1);
        assertThat(two[0]).isEqualTo(4000);
        assertThat(it.next(two)).isZero();
        assertThat(it.next()).isEqualTo(-1);
    }

    @Test
    void bitsClearedBetweenBatchesAreNotReturned() {
        HBitmap hb = HBitmap.fromGranules(8192, 0, 1, 2, 3, 4, 5, 200, 300, 5000);
        HBitmap.Iter it = hb.iterator(0);
        long[] two = new long[2];
        assertThat(it.next(two)).isEqualTo(2);
        hb.reset(3, 2); // granules 3 and 4, ahead in the current word
        hb.reset(192, 64); // word 3 becomes zero, ahead in the current group
        assertThat(it.next(two)).isEqualTo(2);
        assertThat(two).containsExactly(5, 300);
        hb.resetAll();
        assertThat(it.next(two)).isZero();
    }

    @Test
    void staleSummaryBitsEndABatchWhereTheyEndNext() {
        for (long seed = 1; seed <= 5; seed++) {
            HBitmap hb = runs(seed, Set.of(Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET));
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < 40; i++) {
                long word = rnd.nextLong(hb.sizeInGranules() / 64 - 1);
                hb.reset(word * 64 << 2, 64 << 2); // a whole word: its summary bit stays behind
            }
            List<Long> expected = ShadowBitmap.iterate(hb, 0);
            for (int batch : new int[] {1, 3, 64, 1000}) {
                HBitmap.Iter it = hb.iterator(0);
                long[] items = new long[batch];
                int n = it.next(items);
                List<Long> got = new java.util.ArrayList<>();
                while (true) {
                    for (int k = 0; k < n; k++) {
                        got.add(items[k]);
                    }
                    if (n < batch) {
                        break;
                    }
                    n = it.next(items);
                }
                assertThat(got).as("seed %d, batch %d", seed, batch).isEqualTo(expected);
            }
        }
    }
}
