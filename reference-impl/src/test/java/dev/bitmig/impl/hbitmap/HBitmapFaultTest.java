package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bitmig.impl.hbitmap.HBitmap.Fault;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every seeded fault changes what a user of the bitmap can observe, on a small concrete input. */
class HBitmapFaultTest {

    /** Runs a fixed script for the fault and describes everything observable afterwards. */
    static String observe(Fault fault, Set<Fault> enabled) {
        Function<HBitmap, String> describe = hb -> "count=" + hb.count()
                + " granules=" + Arrays.toString(hb.dirtyGranules())
                + " iteration=" + ShadowBitmap.iterate(hb, 0)
                + " nextDirty=" + hb.nextDirty(0, Long.MAX_VALUE);
        switch (fault) {
            case UPPER_LEVEL_NOT_CLEARED_ON_RESET -> {
                HBitmap hb = HBitmap.create(1000, 0, enabled);
                hb.set(70, 1);
                hb.set(200, 1);
                hb.reset(64, 64);
                return describe.apply(hb);
            }
            case COUNT_OFF_AFTER_OVERLAPPING_SET -> {
                HBitmap hb = HBitmap.create(1000, 0, enabled);
                hb.set(0, 10);
                hb.set(5, 10);
                return describe.apply(hb);
            }
            case SERIALIZE_DROPS_LAST_PARTIAL_WORD -> {
                HBitmap hb = HBitmap.create(100, 0, enabled);
                hb.set(3, 1);
                hb.set(99, 1);
                byte[] buf = new byte[(int) hb.serializationSize(0, 100)];
                hb.serializePart(buf, 0, 100);
                HBitmap received = HBitmap.create(100, 0);
                received.deserializePart(buf, 0, 100, true);
                return Arrays.toString(buf) + " received " + describe.apply(received);
            }
            case RESET_ROUNDS_OUTWARD -> {
                HBitmap hb = HBitmap.create(64, 2, enabled);
                hb.set(0, 16);
                try {
                    hb.reset(1, 2);
                } catch (IllegalArgumentException rejected) {
                    return "rejected " + describe.apply(hb);
                }
                return describe.apply(hb);
            }
            case ZERO_LENGTH_SET_RESET -> {
                HBitmap hb = HBitmap.create(100, 0, enabled);
                hb.set(10, 0);
                hb.set(50, 1);
                hb.reset(51, 0);
                return describe.apply(hb);
            }
            default -> throw new AssertionError(fault);
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void eachFaultDivergesFromTheCorrectBitmap(Fault fault) {
        String correct = observe(fault, EnumSet.noneOf(Fault.class));
        String faulty = observe(fault, EnumSet.of(fault));
        assertThat(faulty).isNotEqualTo(correct);
    }

    @Test
    void staleUpperLevelsHideLaterDirtyBits() {
        HBitmap hb = HBitmap.create(1000, 0, EnumSet.of(Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET));
        hb.set(70, 1);
        hb.set(200, 1);
        hb.reset(64, 64);
        assertThat(hb.get(200)).isTrue();
        assertThat(hb.nextDirty(0, Long.MAX_VALUE)).as("the correct answer is 200").isEqualTo(-1);
    }

    @Test
    void theOverlappingSetFaultOvercounts() {
        HBitmap hb = HBitmap.create(1000, 0, EnumSet.of(Fault.COUNT_OFF_AFTER_OVERLAPPING_SET));
        hb.set(0, 10);
        hb.set(5, 10);
        assertThat(hb.count()).as("15 items are dirty").isEqualTo(20);
    }

    @Test
    void theSerializationFaultLosesTheBitsOfAPartialLastWord() {
        HBitmap hb = HBitmap.create(100, 0, EnumSet.of(Fault.SERIALIZE_DROPS_LAST_PARTIAL_WORD));
        hb.set(99, 1);
        byte[] buf = new byte[16];
        hb.serializePart(buf, 0, 100);
        assertThat(buf).containsOnly(0);
        HBitmap full = HBitmap.create(128, 0, EnumSet.of(Fault.SERIALIZE_DROPS_LAST_PARTIAL_WORD));
        full.set(127, 1);
        full.serializePart(buf, 0, 128);
        assertThat(buf[15]).as("a full last word is unaffected").isEqualTo((byte) 0x80);
    }

    @Test
    void outwardRoundingResetErasesDirtyItemsOutsideTheRange() {
        HBitmap correct = HBitmap.create(64, 2);
        correct.set(0, 16);
        assertThatThrownBy(() -> correct.reset(1, 2)).isInstanceOf(IllegalArgumentException.class);
        HBitmap faulty = HBitmap.create(64, 2, EnumSet.of(Fault.RESET_ROUNDS_OUTWARD));
        faulty.set(0, 16);
        faulty.reset(1, 2);
        assertThat(faulty.get(0)).as("item 0 was never reset but its granule was cleared").isFalse();
        assertThat(faulty.count()).isEqualTo(12);
    }

    @Test
    void zeroLengthOperationsTouchTheItemBeforeTheStart() {
        HBitmap faulty = HBitmap.create(100, 0, EnumSet.of(Fault.ZERO_LENGTH_SET_RESET));
        faulty.set(10, 0);
        assertThat(faulty.get(9)).isTrue();
        faulty.set(50, 1);
        faulty.reset(51, 0);
        assertThat(faulty.get(50)).isFalse();
    }

    @Test
    void anEmptyFaultSetGivesTheCorrectBitmap() {
        for (Fault fault : Fault.values()) {
            assertThat(observe(fault, Set.of())).isEqualTo(observe(fault, EnumSet.noneOf(Fault.class)));
        }
    }
}
