package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The plain model an {@link HBitmap} is checked against: one {@link BitSet} bit per granule, every query answered by
 * walking items one by one. Only meant for small bitmaps.
 */
final class ShadowBitmap {
    long size;
    final int granularity;
    final BitSet granules = new BitSet();

    ShadowBitmap(long size, int granularity) {
        this.size = size;
        this.granularity = granularity;
    }

    long granuleCount() {
        return size == 0 ? 0 : ((size - 1) >> granularity) + 1;
    }

    void set(long start, long count) {
        for (long item = start; item < start + count; item++) {
            granules.set((int) (item >> granularity));
        }
    }

    /** Clears the granules fully inside the range, plus the last one when the range ends at the bitmap end. */
    void reset(long start, long count) {
        for (long item = start; item < start + count; item++) {
            long g = item >> granularity;
            long granuleEnd = Math.min((g + 1) << granularity, size);
            if ((g << granularity) >= start && granuleEnd <= start + count) {
                granules.clear((int) g);
            }
        }
    }

    boolean get(long item) {
        return granules.get((int) (item >> granularity));
    }

    long countItems() {
        return (long) granules.cardinality() << granularity;
    }

    void truncate(long newSize) {
        size = newSize;
        granules.clear((int) granuleCount(), Integer.MAX_VALUE);
    }

    long nextDirty(long start, long count) {
        long end = count > size - start ? size : start + count;
        for (long item = start; item < end; item++) {
            if (get(item)) {
                return item;
            }
        }
        return -1;
    }

    long nextZero(long start, long count) {
        long end = count > size - start ? size : start + count;
        for (long item = start; item < end; item++) {
            if (!get(item)) {
                return item;
            }
        }
        return -1;
    }

    /** The first maximal run of dirty items at or after start, cut at end and at max items. */
    Optional<HBitmap.Area> nextDirtyArea(long start, long end, long max) {
        end = Math.min(end, size);
        long offset = nextDirty(start, Math.max(0, end - start));
        if (offset < 0) {
            return Optional.empty();
        }
        long limit = offset + Math.min(end - offset, max);
        long item = offset;
        while (item < limit && get(item)) {
            item++;
        }
        return Optional.of(new HBitmap.Area(offset, item - offset));
    }

    /** First item of every dirty granule whose start is at or after the granule of {@code first}. */
    List<Long> iterationFrom(long first) {
        List<Long> out = new ArrayList<>();
        for (int g = granules.nextSetBit((int) (first >> granularity)); g >= 0; g = granules.nextSetBit(g + 1)) {
            out.add((long) g << granularity);
        }
        return out;
    }

    static List<Long> iterate(HBitmap hb, long first) {
        List<Long> out = new ArrayList<>();
        HBitmap.Iter it = hb.iterator(first);
        for (long item = it.next(); item >= 0; item = it.next()) {
            out.add(item);
        }
        return out;
    }

    /**
     * The items {@link HBitmap.Iter#next(long[])} returns from {@code first} in batches of {@code batch}, until a call
     * returns fewer than asked; each batch but the last must be full.
     */
    static List<Long> iterateInBatches(HBitmap hb, long first, int batch) {
        List<Long> out = new ArrayList<>();
        HBitmap.Iter it = hb.iterator(first);
        long[] items = new long[batch];
        int n;
        do {
            n = it.next(items);
            for (int k = 0; k < n; k++) {
                out.add(items[k]);
            }
        } while (n == batch);
        return out;
    }

    /** Asserts that the bitmap holds exactly the shadow's bits (iteration, count, emptiness and sampled gets). */
    void assertMatches(HBitmap hb) {
        assertThat(hb.size()).as("size").isEqualTo(size);
        assertThat(hb.sizeInGranules()).as("granules").isEqualTo(granuleCount());
        assertThat(iterate(hb, 0)).as("iteration from 0").isEqualTo(iterationFrom(0));
        assertThat(hb.count()).as("count").isEqualTo(countItems());
        assertThat(hb.countGranules()).as("countGranules").isEqualTo(granules.cardinality());
        assertThat(hb.isEmpty()).as("isEmpty").isEqualTo(granules.isEmpty());
        assertThat(hb.toBitSet()).as("bits").isEqualTo(granules);
        long step = Math.max(1, size / 257);
        for (long item = 0; item < size; item += step) {
            assertThat(hb.get(item)).as("get(%d)", item).isEqualTo(get(item));
        }
        if (size > 0) {
            assertThat(hb.get(size - 1)).as("get(last)").isEqualTo(get(size - 1));
        }
    }
}
