package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour of {@link HBitmap}, each case checked against a {@link ShadowBitmap}. */
class HBitmapTest {
    static final long L1 = 64;
    static final long L2 = 64 * 64;
    static final long L3 = 64 * 64 * 64;

    /** A bitmap and its shadow, changed together. */
    static final class Pair {
        final HBitmap hb;
        final ShadowBitmap shadow;

        Pair(long size, int granularity) {
            hb = HBitmap.create(size, granularity);
            shadow = new ShadowBitmap(size, granularity);
        }

        Pair set(long start, long count) {
            hb.set(start, count);
            shadow.set(start, count);
            shadow.assertMatches(hb);
            return this;
        }

        Pair reset(long start, long count) {
            hb.reset(start, count);
            shadow.reset(start, count);
            shadow.assertMatches(hb);
            return this;
        }

        Pair truncate(long size) {
            hb.truncate(size);
            shadow.truncate(size);
            shadow.assertMatches(hb);
            return this;
        }
    }

    // ---------------------------------------------------------------------------------------------- sizes

    @Test
    void aZeroSizeBitmapCanBeCreatedAndIsEmpty() {
        HBitmap hb = HBitmap.create(0, 0);
        assertThat(hb.isEmpty()).isTrue();
        assertThat(hb.count()).isZero();
        assertThat(hb.iterator(0).next()).isEqualTo(-1);
        assertThat(hb.nextDirty(0, 10)).isEqualTo(-1);
        assertThat(hb.nextZero(0, 10)).isEqualTo(-1);
        new ShadowBitmap(0, 0).assertMatches(hb);
    }

    @Test
    void anUnalignedSizeKeepsItsFirstAndLastBit() {
        new Pair(L3 + 23, 0).set(0, 1).set(L3 + 22, 1);
    }

    @Test
    void theLargestSizeWithACoarseGranularityIsCheap() {
        HBitmap hb = HBitmap.create(1L << 41, 16);
        hb.set((1L << 41) - 1, 1);
        hb.set(0, 1);
        assertThat(hb.count()).isEqualTo(2L << 16);
        assertThat(hb.nextDirty(1, Long.MAX_VALUE)).as("inside a dirty granule").isEqualTo(1);
        assertThat(hb.nextDirty(1L << 16, Long.MAX_VALUE)).isEqualTo((1L << 41) - (1L << 16));
        assertThat(hb.allocatedPages()).isLessThanOrEqualTo(2 * HBitmap.LEVELS);
    }

    @Test
    void aBitmapOfTwoToThe28BitsOnlyAllocatesWhatIsTouched() {
        HBitmap hb = HBitmap.create(1L << 28, 0);
        hb.set(12345, 1);
        hb.set((1L << 28) - 1, 1);
        assertThat(hb.allocatedPages()).isLessThanOrEqualTo(2 * HBitmap.LEVELS);
        assertThat(hb.dirtyGranules()).containsExactly(12345, (1L << 28) - 1);
    }

    @Test
    void aBitmapOfMoreThanTwoToThe41GranulesIsRejected() {
        assertThatThrownBy(() -> HBitmap.create((1L << 41) + 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(HBitmap.create((1L << 42), 1).sizeInGranules()).isEqualTo(1L << 41);
    }

    // ---------------------------------------------------------------------------------------------- iteration

    @Test
    void iteratingAnEmptyBitmapYieldsNothing() {
        HBitmap hb = HBitmap.create(L1, 0);
        assertThat(ShadowBitmap.iterate(hb, 0)).isEmpty();
    }

    @Test
    void iterationOfAFullBitmapStartsExactlyAtTheRequestedOffset() {
        HBitmap hb = HBitmap.create(L3, 0);
        hb.set(0, L3);
        long[] offsets = {0, 1, L1 - 1, L1, L1 + 1, L2 - 1, L2, L2 + 1, L2 + L1, L3 - L2 - 1, L3 - L1 - 1, L3 - 1};
        for (long first : offsets) {
            HBitmap.Iter it = hb.iterator(first);
            long expected = first;
            for (long item = it.next(); item >= 0; item = it.next()) {
                assertThat(item).isEqualTo(expected++);
            }
            assertThat(expected).as("iteration from %d reaches the end", first).isEqualTo(L3);
        }
    }

    @Test
    void iterationWithAGranularityReturnsGranuleStartsAndHonoursTheStart() {
        HBitmap hb = HBitmap.create(L1 * 2 << 7, 7);
        hb.set(0, 1);
        hb.set(100 << 7, 1);
        hb.set((L1 * 2 << 7) - 1, 1);
        assertThat(ShadowBitmap.iterate(hb, 0)).containsExactly(0L, 100L << 7, (L1 * 2 - 1) << 7);
        assertThat(ShadowBitmap.iterate(hb, 1)).as("the start's own granule counts")
                .containsExactly(0L, 100L << 7, (L1 * 2 - 1) << 7);
        assertThat(ShadowBitmap.iterate(hb, 1 << 7)).containsExactly(100L << 7, (L1 * 2 - 1) << 7);
        assertThat(ShadowBitmap.iterate(hb, (100 << 7) + 5)).containsExactly(100L << 7, (L1 * 2 - 1) << 7);
        assertThat(ShadowBitmap.iterate(hb, (L1 * 2 << 7) - 1)).containsExactly((L1 * 2 - 1) << 7);
    }

    @Test
    void anIteratorSurvivesAResetAllInTheMiddle() {
        HBitmap hb = HBitmap.create(L3, 0);
        hb.set(0, 1);
        hb.set(L1 + 1, 1);
        hb.set(L2 * 3, 1);
        HBitmap.Iter it = hb.iterator(0);
        assertThat(it.next()).isEqualTo(0);
        hb.resetAll();
        assertThat(it.next()).isEqualTo(-1);
        hb.set(L2 * 5, 1);
        assertThat(it.next()).as("a bit set ahead after the reset may be found").isIn(-1L, L2 * 5);
        assertThat(hb.nextDirty(0, L3)).isEqualTo(L2 * 5);
    }

    @Test
    void anIteratorDoesNotReturnBitsClearedBehindItsBack() {
        HBitmap hb = HBitmap.create(L2, 0);
        hb.set(1, 1);
        hb.set(100, 1);
        hb.set(3000, 1);
        HBitmap.Iter it = hb.iterator(0);
        assertThat(it.next()).isEqualTo(1);
        hb.reset(100, 1);
        assertThat(it.next()).isEqualTo(3000);
        assertThat(it.next()).isEqualTo(-1);
    }

    // ---------------------------------------------------------------------------------------------- get / set

    @Test
    void afterSettingEverythingEveryItemIsDirty() {
        Pair p = new Pair(L2 + 7, 0).set(0, L2 + 7);
        for (long i = 0; i < L2 + 7; i++) {
            assertThat(p.hb.get(i)).isTrue();
        }
    }

    @Test
    void singleBitsAroundWordAndLevelBoundariesAreReadBack() {
        Pair p = new Pair(L3, 0);
        for (long pos : new long[] {0, L1 - 1, L1, L2 - 1, L2, L2 + L1, L3 - 1}) {
            p.set(pos, 1);
        }
    }

    @Test
    void rangesSpanningTwoWordsAtSeveralLevelsAreSet() {
        new Pair(L3, 0).set(L1 - 1, 2).set(L2 - 1, 2).set(L2 * 2 - 1, 2).set(L3 - L2 - 1, 2);
    }

    @Test
    void assortedMultiWordRangesAreSet() {
        new Pair(L3, 0).set(0, L1 * 3 + 5).set(L1 * 7 + 3, L2 + 19).set(L2 * 9, L2 * 3 - 1).set(L3 - L1 - 3, L1 + 3);
    }

    @Test
    void settingABitTwiceKeepsTheCount() {
        Pair p = new Pair(L2, 0).set(L1 + 3, 1).set(L1 + 3, 1);
        assertThat(p.hb.count()).isEqualTo(1);
    }

    @Test
    void overlappingRangesKeepTheCountCorrect() {
        Pair p = new Pair(L3, 0).set(0, L2).set(L2 / 2, L2).set(L1 * 3, 10);
        assertThat(p.hb.count()).isEqualTo(L2 + L2 / 2);
    }

    @Test
    void setRoundsOutwardToWholeGranules() {
        Pair p = new Pair(L1 * 2, 1).set(0, 1);
        assertThat(p.hb.count()).isEqualTo(2);
        p.set(2, 1);
        assertThat(p.hb.count()).isEqualTo(4);
        p.set(1, 2);
        assertThat(p.hb.count()).isEqualTo(4);
        p.reset(0, 2);
        assertThat(p.hb.count()).isEqualTo(2);
        assertThat(p.hb.get(1)).isFalse();
        assertThat(p.hb.get(3)).isTrue();
    }

    @Test
    void aCountOnlyCountsWholeGranulesEvenForAPartialLastGranule() {
        HBitmap hb = HBitmap.create(100, 4);
        hb.set(99, 1);
        assertThat(hb.count()).isEqualTo(16);
        assertThat(hb.countGranules()).isEqualTo(1);
    }

    @Test
    void zeroLengthSetAndResetDoNothing() {
        Pair p = new Pair(L1 * 4, 2).set(8, 8);
        p.set(5, 0).set(0, 0).set(L1 * 4, 0).reset(9, 0).reset(12, 0).reset(L1 * 4, 0);
        assertThat(p.hb.count()).isEqualTo(8);
    }

    @Test
    void rangesOutsideTheBitmapAreRejected() {
        HBitmap hb = HBitmap.create(100, 0);
        assertThatThrownBy(() -> hb.set(99, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> hb.set(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> hb.set(1, Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> hb.get(100)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    // ---------------------------------------------------------------------------------------------- reset

    @Test
    void resettingAnEmptyBitmapIsHarmless() {
        new Pair(L3, 0).reset(0, L3).reset(L1, L2);
    }

    @Test
    void interleavedSetsAndResetsAcrossWordsAndLevelsMatchTheShadow() {
        new Pair(L3, 0)
                .set(0, L2 * 2).reset(L1 - 1, L1 + 2).reset(L2 - 5, 10)
                .set(L2 * 7 + 3, L2 * 20).reset(L2 * 8, L2).reset(L2 * 7, L2 * 10)
                .set(L3 - L1, L1).reset(L3 - 1, 1).reset(0, L3);
    }

    @Test
    void resetAllClearsEverything() {
        Pair p = new Pair(L3, 0).set(0, 1).set(L2 * 5, L2).set(L3 - 1, 1);
        p.hb.resetAll();
        p.shadow.granules.clear();
        p.shadow.assertMatches(p.hb);
        p.set(L1, 1);
    }

    @Test
    void resetOfUnalignedRangeIsRejected() {
        HBitmap hb = HBitmap.create(L1 * 16, 2);
        hb.set(0, L1 * 16);
        assertThatThrownBy(() -> hb.reset(1, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not aligned");
        assertThatThrownBy(() -> hb.reset(0, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reset(0, 3)");
        assertThat(hb.count()).as("a rejected reset clears nothing").isEqualTo(L1 * 16);
    }

    @Test
    void resetMayEndUnalignedExactlyAtTheBitmapEnd() {
        Pair p = new Pair(L1 * 4 + 3, 3).set(0, L1 * 4 + 3);
        p.reset(L1 * 4, 3);
        assertThat(p.hb.get(L1 * 4 - 1)).isTrue();
        assertThat(p.hb.count()).isEqualTo(L1 * 4);
    }

    // ---------------------------------------------------------------------------------------------- truncate

    /** A bitmap with its first and last items dirty. */
    static Pair truncateFixture(long size, int granularity) {
        Pair p = new Pair(size, granularity);
        p.set(0, 1).set(size - 1, 1);
        return p;
    }

    @Test
    void truncatingToTheSameSizeKeepsTheBoundaryBits() {
        Pair p = truncateFixture(L2, 4).truncate(L2);
        assertThat(p.hb.get(L2 - 1)).isTrue();
    }

    @ParameterizedTest(name = "grow by {0} items")
    @ValueSource(longs = {1, 3, 17, 40, 64 * 3 + 5, 64 * 16 + 1, 64 * 64 * 3})
    void growingAddsCleanItemsAndKeepsTheOldBits(long delta) {
        for (int gran : new int[] {0, 2, 4}) {
            long size = L2 - 5;
            Pair p = truncateFixture(size, gran).truncate(size + delta);
            p.set(size + delta - 1, 1);
        }
    }

    @ParameterizedTest(name = "shrink by {0} items")
    @ValueSource(longs = {1, 3, 17, 40, 64 * 3 + 5, 64 * 16 + 1, 64 * 64 / 2})
    void shrinkingDropsTheTruncatedBitsFromTheCount(long delta) {
        for (int gran : new int[] {0, 2, 4}) {
            long size = L2 * 2 - 5;
            Pair p = truncateFixture(size, gran);
            p.set(size - delta - 1, delta + 1);
            p.truncate(size - delta);
            p.truncate(size);
            assertThat(p.hb.nextDirty(size - delta, delta)).isIn(-1L, size - delta);
        }
    }

    @Test
    void aChangeSmallerThanAGranuleWithinTheLastGranuleKeepsItsBit() {
        // Negligible: 16-item granules, size 1000 -> 1003 and back; the last granule (992..1007) stays.
        Pair p = truncateFixture(1000, 4).truncate(1003);
        assertThat(p.hb.get(1002)).as("the grown items share the dirty last granule").isTrue();
        p.truncate(1000).truncate(997);
        assertThat(p.hb.get(996)).isTrue();
    }

    @Test
    void aChangeSmallerThanAGranuleCrossingAGranuleBoundaryAddsOrDropsAGranule() {
        // Tiny: size 1008 (63 granules) -> 1010 (64 granules) and back.
        Pair p = truncateFixture(1008, 4).truncate(1010);
        assertThat(p.hb.get(1009)).isFalse();
        p.set(1009, 1).truncate(1008);
        assertThat(p.hb.count()).isEqualTo(2 * 16);
        p.truncate(1010);
        assertThat(p.hb.get(1009)).isFalse();
    }

    // ---------------------------------------------------------------------------------------------- merge, copy

    @Test
    void mergingBitmapsOfTheSameGranularityOrsTheirBits() {
        HBitmap a = HBitmap.fromGranules(L2, 0, 0, 65, 3000);
        HBitmap b = HBitmap.fromGranules(L2, 0, 65, 4095);
        HBitmap merged = HBitmap.merge(a, b);
        assertThat(merged.dirtyGranules()).containsExactly(0, 65, 3000, 4095);
        assertThat(merged.countGranules()).isEqualTo(4);
        assertThat(a.dirtyGranules()).as("inputs untouched").containsExactly(0, 65, 3000);
        b.mergeInto(a);
        assertThat(a.sameBits(merged)).isTrue();
    }

    @Test
    void mergingBitmapsOfDifferentGranularitiesOrsItemRangesRoundedOutward() {
        HBitmap fine = HBitmap.create(1000, 0);
        fine.set(5, 1);
        fine.set(40, 30);
        HBitmap coarse = HBitmap.create(1000, 4);
        coarse.set(999, 1);
        coarse.mergeFrom(fine);
        // 5 -> granule 0; 40..69 -> granules 2..4; 999 -> granule 62.
        assertThat(coarse.dirtyGranules()).containsExactly(0, 2, 3, 4, 62);
        HBitmap target = HBitmap.create(1000, 1);
        HBitmap.merge(fine, coarse, target);
        ShadowBitmap expected = new ShadowBitmap(1000, 1);
        expected.set(0, 16);
        expected.set(32, 48);
        expected.set(992, 8);
        expected.assertMatches(target);
    }

    @Test
    void mergingBitmapsOfDifferentSizesIsRejected() {
        assertThatThrownBy(() -> HBitmap.create(10, 0).mergeFrom(HBitmap.create(11, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCopyIsIndependent() {
        HBitmap a = HBitmap.fromGranules(L2, 1, 3, 7);
        HBitmap c = a.copy();
        assertThat(c.sameBits(a)).isTrue();
        c.set(0, 1);
        assertThat(c.sameBits(a)).isFalse();
        assertThat(a.dirtyGranules()).containsExactly(3, 7);
    }

}
