package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.impl.hbitmap.HBitmap.Fault;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * hbitmap_merge (util/hbitmap.c) returns at once when one operand is empty and the result is the other, and merges
 * equal granularities word by word, recounting from the words. A bitmap whose count the seeded fault got wrong shows
 * which path a merge took: neither path goes through set.
 */
class HBitmapMergeFastPathTest {

    /** Granule 0 set twice: the overlapping-set fault counts it twice. */
    private static HBitmap overcounted() {
        HBitmap hb = HBitmap.create(256, 0, Set.of(Fault.COUNT_OFF_AFTER_OVERLAPPING_SET));
        hb.set(0, 1);
        hb.set(0, 1);
        assertThat(hb.countGranules()).isEqualTo(2);
        return hb;
    }

    @Test
    void mergingAnEmptyBitmapIntoTheResultLeavesItUntouched() {
        HBitmap hb = overcounted();
        hb.mergeFrom(HBitmap.create(256, 0));
        assertThat(hb.countGranules()).as("no recount: the merge returned early").isEqualTo(2);
        HBitmap.merge(HBitmap.create(256, 0), hb, hb);
        assertThat(hb.countGranules()).as("no recount: the merge returned early").isEqualTo(2);
    }

    @Test
    void aSameGranularityMergeRecountsFromTheWords() {
        HBitmap hb = overcounted();
        hb.mergeFrom(HBitmap.fromGranules(256, 0, 0, 1, 2));
        assertThat(hb.countGranules()).as("recounted, not 2 + 3").isEqualTo(3);
        assertThat(hb.dirtyGranules()).containsExactly(0, 1, 2);
    }
}
