package dev.bitmig.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.impl.hbitmap.HBitmap;
import org.junit.jupiter.api.Test;

/** All implementations must give the same answers; otherwise the benchmarks compare different work. */
class BitmapAdapterTest {
    private static final int BITS = 12;

    @Test
    void allImplementationsAgreeOnWritesResetsAndQueries() {
        long[] writes = Fixtures.writes(BITS, 500, 1);
        long[] resets = Fixtures.resets(BITS, 200, 2);
        BitmapAdapter ref = BitmapAdapter.empty(BitmapKind.HBitmap, BITS);
        for (BitmapKind kind : BitmapKind.values()) {
            BitmapAdapter b = BitmapAdapter.empty(kind, BITS);
            for (int i = 0; i < writes.length; i += 2) {
                b.write(writes[i], writes[i + 1]);
            }
            for (int i = 0; i < resets.length; i += 2) {
                b.resetAligned(resets[i], resets[i + 1]);
            }
            if (kind == BitmapKind.HBitmap) {
                ref = b;
            }
            assertThat(b.words()).as(kind.name()).isEqualTo(ref.words());
            assertThat(b.count()).as(kind.name()).isEqualTo(ref.count()).isPositive();
            assertThat(b.iterate()).as(kind.name()).isEqualTo(ref.iterate());
            assertThat(b.iterateBatch()).as(kind.name() + " in batches").isEqualTo(ref.iterate());
            assertThat(b.sha256()).as(kind.name()).isEqualTo(ref.sha256());
        }
    }

    @Test
    void loadMergeClearAndSerializationRoundTripsAgree() {
        long[] p1 = Fixtures.pattern(BITS, 0.01, 3);
        long[] p2 = Fixtures.pattern(BITS, 0.5, 4);
        long[] or = new long[p1.length];
        for (int i = 0; i < or.length; i++) {
            or[i] = p1[i] | p2[i];
        }
        for (BitmapKind kind : BitmapKind.values()) {
            BitmapAdapter a = BitmapAdapter.of(kind, BITS, p1);
            assertThat(a.words()).as(kind.name()).isEqualTo(p1);
            a.mergeFrom(BitmapAdapter.of(kind, BITS, p2));
            assertThat(a.words()).as(kind.name()).isEqualTo(or);

            BitmapAdapter target = BitmapAdapter.empty(kind, BITS);
            target.deserialize(a.serialize());
            assertThat(target.words()).as(kind.name() + " round trip").isEqualTo(or);
            assertThat(target.count()).isEqualTo(a.count());

            BitmapAdapter copy = a.copy();
            a.clear();
            assertThat(a.count()).isZero();
            assertThat(copy.words()).as(kind.name() + " copy is independent").isEqualTo(or);
        }
    }

    @Test
    void digestIsQemusDigestOfTheLastLevel() {
        long[] p = Fixtures.pattern(BITS, 0.01, 5);
        HBitmap hb = HBitmap.create((1L << BITS) << Fixtures.GRANULE_SHIFT, Fixtures.GRANULE_SHIFT);
        hb.deserializePart(Fixtures.leBytes(p), 0, hb.size(), true);
        for (BitmapKind kind : BitmapKind.values()) {
            assertThat(BitmapAdapter.of(kind, BITS, p).sha256()).as(kind.name()).isEqualTo(hb.sha256());
        }
    }

    @Test
    void patternsHaveTheAskedDirtyShareAndWritesStayInsideTheDisk() {
        for (double f : new double[] {0.0001, 0.01, 0.5}) {
            long set = 0;
            for (long w : Fixtures.pattern(16, f, 6)) {
                set += Long.bitCount(w);
            }
            assertThat(set).isEqualTo((long) Math.ceil((1L << 16) * f));
        }
        long[] w = Fixtures.writes(16, 1000, 7);
        for (int i = 0; i < w.length; i += 2) {
            assertThat(w[i + 1]).isBetween(1L, Fixtures.MAX_WRITE);
            assertThat(w[i] + w[i + 1]).isLessThanOrEqualTo(Fixtures.diskBytes(16));
            long bits = ((w[i] + w[i + 1] - 1) >>> Fixtures.GRANULE_SHIFT) - (w[i] >>> Fixtures.GRANULE_SHIFT) + 1;
            assertThat(bits).isBetween(1L, 17L);
        }
    }

    @Test
    void theModelIsCappedAt2To24BitsAndHalfAMillionDirtyGranules() {
        assertThat(ModelCap.effectiveLog2Bits(BitmapKind.Model, 28, 0.01)).isEqualTo(24);
        assertThat(ModelCap.effectiveLog2Bits(BitmapKind.Model, 24, 0.01)).isEqualTo(24);
        assertThat(ModelCap.effectiveLog2Bits(BitmapKind.Model, 24, 0.5)).isEqualTo(20);
        assertThat(ModelCap.effectiveLog2Bits(BitmapKind.Model, 16, 0.5)).isEqualTo(16);
        assertThat(ModelCap.effectiveLog2Bits(BitmapKind.HBitmap, 28, 0.5)).isEqualTo(28);
    }
}
