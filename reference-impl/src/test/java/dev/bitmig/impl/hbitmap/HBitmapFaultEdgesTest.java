package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.impl.hbitmap.HBitmap.Fault;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seeded faults at their edges: each acts exactly where its bug would, and nowhere else. */
class HBitmapFaultEdgesTest {

    private static HBitmap faulty(long size, int granularity, Fault fault) {
        return HBitmap.create(size, granularity, Set.of(fault));
    }

    @Test
    void zeroLengthOperationsAtItemZeroHaveNoGranuleBeforeThemToTouch() {
        // H12 computed last = start - 1; at start 0 there is nothing before.
        HBitmap hb = faulty(64, 0, Fault.ZERO_LENGTH_SET_RESET);
        hb.set(0, 0);
        hb.set(5, 1);
        hb.reset(0, 0);
        assertThat(hb.dirtyGranules()).containsExactly(5);
    }

    @Test
    void aZeroLengthResetClearsTheWholeGranuleBeforeItsStart() {
        // Granularity 2: item 12 starts granule 3, so the granule before is 2 (items 8 to 11).
        HBitmap hb = faulty(64, 2, Fault.ZERO_LENGTH_SET_RESET);
        hb.set(8, 8);
        hb.reset(12, 0);
        assertThat(hb.dirtyGranules()).containsExactly(3);
        hb.set(21, 0);
        assertThat(hb.dirtyGranules()).containsExactly(3, 5);
    }

    @Test
    void theSerializationFaultDropsTheOnlyWordOfA63GranuleBitmap() {
        HBitmap hb = faulty(63, 0, Fault.SERIALIZE_DROPS_LAST_PARTIAL_WORD);
        hb.set(0, 1);
        byte[] buf = new byte[8];
        hb.serializePart(buf, 0, 63);
        assertThat(buf).containsOnly(0);
        HBitmap full = faulty(64, 0, Fault.SERIALIZE_DROPS_LAST_PARTIAL_WORD);
        full.set(0, 1);
        full.serializePart(buf, 0, 64);
        assertThat(buf[0]).as("a full last word is sent").isEqualTo((byte) 1);
    }

    @Test
    void iterationStopsAtAStaleSummaryBitInsteadOfInventingAGranule() {
        // The summary bit of word 1 survives the reset; descending into the now empty word ends the iteration.
        HBitmap hb = faulty(256, 0, Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET);
        hb.set(64, 1);
        hb.reset(64, 1);
        hb.set(200, 1);
        HBitmap.Iter it = hb.iterator(0);
        assertThat(it.next()).isEqualTo(-1);
        assertThat(hb.dirtyGranules()).containsExactly(200);
    }
}
