package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Iteration cost follows the dirty bits, not the bitmap size. */
class HBitmapScaleTest {

    @Test
    void iteratingASparseTerabyteBitmapVisitsWordsInProportionToTheDirtyGranules() {
        // 1 TiB of bytes at 64 KiB granules: 2^40 items, granularity 16, 2^24 bits.
        long size = 1L << 40;
        int granularity = 16;
        long bits = 1L << 24;
        int dirty = (int) (bits / 10_000); // 0.01 %: 1677 granules
        Random random = new Random(0x5eed);
        TreeSet<Long> chosen = new TreeSet<>();
        while (chosen.size() < dirty) {
            chosen.add((long) random.nextInt((int) bits));
        }
        HBitmap hb = HBitmap.create(size, granularity);
        for (long g : chosen) {
            hb.set(g << granularity, 1);
        }
        assertThat(hb.countGranules()).isEqualTo(dirty);

        hb.resetWordsVisited();
        HBitmap.Iter it = hb.iterator(0);
        int seen = 0;
        for (long item = it.next(); item >= 0; item = it.next()) {
            assertThat(item >> granularity).isEqualTo(chosen.pollFirst());
            seen++;
        }
        assertThat(seen).isEqualTo(dirty);
        long visited = hb.wordsVisited();
        assertThat(visited).isLessThanOrEqualTo(8L * HBitmap.LEVELS * dirty);
        assertThat(visited).isLessThan(bits / 64 / 10);

        // Walking by next_dirty costs the same order of words.
        hb.resetWordsVisited();
        long pos = hb.nextDirty(0, Long.MAX_VALUE);
        int found = 0;
        while (pos >= 0) {
            found++;
            long next = pos + (1L << granularity);
            pos = next >= size ? -1 : hb.nextDirty(next, Long.MAX_VALUE);
        }
        assertThat(found).isEqualTo(dirty);
        assertThat(hb.wordsVisited()).isLessThanOrEqualTo(8L * HBitmap.LEVELS * dirty);
    }
}
