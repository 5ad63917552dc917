package dev.bitmig.impl;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.stream.StreamFault;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Faults selected by name, and the HBitmap and stream faults each implementation fault switches on. */
class FaultSelectionTest {

    @Test
    void noNamesSelectNoFaults() {
        assertThat(Fault.parse(null)).isEmpty();
        assertThat(Fault.parse("  ")).isEmpty();
        assertThat(Fault.parse(" , h1_skip_store_not_reset_on_activation ,"))
                .containsExactly(Fault.H1_SKIP_STORE_NOT_RESET_ON_ACTIVATION);
    }

    @Test
    void eachHBitmapFaultOfTheImplementationSwitchesOnItsHBitmapFault() {
        assertThat(Fault.hbitmapFaults(Set.of(Fault.HBITMAP_UPPER_LEVEL_NOT_CLEARED_ON_RESET)))
                .containsExactly(HBitmap.Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET);
        assertThat(Fault.hbitmapFaults(Set.of(Fault.HBITMAP_COUNT_OFF_AFTER_OVERLAPPING_SET)))
                .containsExactly(HBitmap.Fault.COUNT_OFF_AFTER_OVERLAPPING_SET);
        assertThat(Fault.hbitmapFaults(Set.of(Fault.HBITMAP_SERIALIZE_DROPS_LAST_PARTIAL_WORD)))
                .containsExactly(HBitmap.Fault.SERIALIZE_DROPS_LAST_PARTIAL_WORD);
        assertThat(Fault.hbitmapFaults(Set.of(Fault.HBITMAP_ZERO_LENGTH_SET)))
                .containsExactly(HBitmap.Fault.ZERO_LENGTH_SET_RESET);
        assertThat(Fault.hbitmapFaults(Set.of(Fault.HBITMAP_RESET_ROUNDS_OUTWARD)))
                .containsExactly(HBitmap.Fault.RESET_ROUNDS_OUTWARD);
        assertThat(Fault.hbitmapFaults(Set.of(Fault.MERGE_IGNORES_GRANULARITY))).isEmpty();
    }

    @Test
    void onlyH10SwitchesOnAStreamFault() {
        assertThat(Fault.streamFaults(Set.of(Fault.H10_CHUNK_SIZE_32BIT_OVERFLOW)))
                .containsExactly(StreamFault.CHUNK_SIZE_32BIT_OVERFLOW);
        assertThat(Fault.streamFaults(Set.of(Fault.HBITMAP_ZERO_LENGTH_SET))).isEmpty();
    }
}
