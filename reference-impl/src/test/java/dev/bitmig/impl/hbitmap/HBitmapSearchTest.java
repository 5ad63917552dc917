package dev.bitmig.impl.hbitmap;

import static dev.bitmig.impl.hbitmap.HBitmapTest.L1;
import static dev.bitmig.impl.hbitmap.HBitmapTest.L2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bitmig.impl.hbitmap.HBitmapTest.Pair;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** HBitmap's searches (hbitmap_next_dirty, next_zero, next_dirty_area), each checked against a {@link ShadowBitmap}. */
class HBitmapSearchTest {
    // ---------------------------------------------------------------------------------------------- next_x

    static void checkNextX(Pair p) {
        long size = p.hb.size();
        long[] probes = {0, 1, 2, 5, 15, 16, 17, 63, 64, 65, 127, 128, 1000, size / 2, size - 2, size - 1, size};
        long[] counts = {0, 1, 2, 3, 16, 17, 64, 100, 1000, size, Long.MAX_VALUE};
        for (long start : probes) {
            if (start < 0 || start > size) {
                continue;
            }
            for (long count : counts) {
                assertThat(p.hb.nextDirty(start, count)).as("nextDirty(%d, %d)", start, count)
                        .isEqualTo(p.shadow.nextDirty(start, count));
                assertThat(p.hb.nextZero(start, count)).as("nextZero(%d, %d)", start, count)
                        .isEqualTo(p.shadow.nextZero(start, count));
            }
        }
    }

    static void nextXScenario(int gran) {
        long size = L2 + 1000;
        Pair p = new Pair(size, gran);
        checkNextX(p);
        p.set(0, 1);
        checkNextX(p);
        p.set(size - 1, 1);
        checkNextX(p);
        p.set(100, 200).set(1000, 1).set(L1 * 20, L1 * 3 + 2);
        checkNextX(p);
        p.set(0, size);
        checkNextX(p);
        p.reset(0, 64L << gran).reset(L2, 1000);
        checkNextX(p);
    }

    @Test
    void nextDirtyAndNextZeroMatchBruteForceAtGranularity0() {
        nextXScenario(0);
    }

    @Test
    void nextDirtyAndNextZeroMatchBruteForceAtGranularity4() {
        nextXScenario(4);
    }

    @Test
    void nextDirtyAndNextZeroMatchBruteForceAfterGrowing() {
        Pair p = new Pair(L1 * 3 + 5, 4).set(0, L1 * 3 + 5);
        p.truncate(L2 + 1000);
        checkNextX(p);
        assertThat(p.hb.nextZero(0, Long.MAX_VALUE)).isEqualTo(((L1 * 3 + 5 + 15) / 16) * 16);
    }

    // ---------------------------------------------------------------------------------------------- next_dirty_area

    static void checkNextDirtyArea(Pair p) {
        long size = p.hb.size();
        long[] starts = {0, 1, 3, 16, 63, 64, 100, 1000, size / 2, size - 1, size};
        long[] ends = {0, 1, 17, 64, 200, 1500, size - 1, size, Long.MAX_VALUE};
        long[] maxes = {1, 2, 16, 100, Long.MAX_VALUE};
        for (long start : starts) {
            for (long end : ends) {
                for (long max : maxes) {
                    Optional<HBitmap.Area> expected = p.shadow.nextDirtyArea(start, end, max);
                    assertThat(p.hb.nextDirtyArea(start, end, max))
                            .as("nextDirtyArea(%d, %d, %d)", start, end, max).isEqualTo(expected);
                }
            }
        }
    }

    static void nextDirtyAreaScenario(int gran) {
        long size = L2 + 777;
        Pair p = new Pair(size, gran);
        checkNextDirtyArea(p);
        p.set(0, 1);
        checkNextDirtyArea(p);
        p.set(size - 1, 1).set(50, 70).set(500, 600).set(L2 - 3, 5);
        checkNextDirtyArea(p);
        p.set(0, size);
        checkNextDirtyArea(p);
    }

    @Test
    void nextDirtyAreaMatchesBruteForceAtGranularity0() {
        nextDirtyAreaScenario(0);
    }

    @Test
    void nextDirtyAreaMatchesBruteForceAtGranularity1() {
        nextDirtyAreaScenario(1);
    }

    @Test
    void nextDirtyAreaMatchesBruteForceAtGranularity4() {
        nextDirtyAreaScenario(4);
    }

    @Test
    void nextDirtyAreaMatchesBruteForceAfterGrowing() {
        Pair p = new Pair(L1 + 3, 2).set(0, L1 + 3);
        p.truncate(L2 + 100);
        checkNextDirtyArea(p);
        assertThat(p.hb.nextDirtyArea(0, Long.MAX_VALUE, Long.MAX_VALUE))
                .contains(new HBitmap.Area(0, L1 + 4));
    }

    @Test
    void nextDirtyAreaRejectsANonPositiveMaximum() {
        assertThatThrownBy(() -> HBitmap.create(10, 0).nextDirtyArea(0, 10, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
