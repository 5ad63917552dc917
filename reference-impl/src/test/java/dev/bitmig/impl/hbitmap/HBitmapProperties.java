package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Random operation sequences on an {@link HBitmap} agree with the {@link ShadowBitmap} after every step. */
class HBitmapProperties {

    enum Kind { SET, RESET_ALIGNED, RESET_TO_END, RESET_UNALIGNED, ZERO_LENGTH, TRUNCATE, RESET_ALL, ROUND_TRIP }

    /** One operation; {@code a} and {@code b} are scaled to the current size when applied. */
    record Op(Kind kind, int a, int b) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(
                        Arbitraries.of(Kind.class),
                        Arbitraries.integers().between(0, 1 << 16),
                        Arbitraries.integers().between(0, 1 << 16))
                .as(Op::new)
                .list().ofMaxSize(30);
    }

    @Property(tries = 300)
    void randomOperationSequencesAgreeWithTheShadow(
            @ForAll @IntRange(min = 0, max = 5000) int size,
            @ForAll @IntRange(min = 0, max = 5) int granularity,
            @ForAll("ops") List<Op> ops) {
        HBitmap hb = HBitmap.create(size, granularity);
        ShadowBitmap shadow = new ShadowBitmap(size, granularity);
        long gran = 1L << granularity;
        for (Op op : ops) {
            long n = hb.size();
            long start = n == 0 ? 0 : op.a() % n;
            long count = n == 0 ? 0 : op.b() % (n - start + 1);
            switch (op.kind()) {
                case SET -> {
                    hb.set(start, count);
                    shadow.set(start, count);
                }
                case RESET_ALIGNED -> {
                    long s = start / gran * gran;
                    long c = Math.min((count + gran - 1) / gran * gran, n - s);
                    hb.reset(s, c);
                    shadow.reset(s, c);
                }
                case RESET_TO_END -> {
                    long s = start / gran * gran;
                    hb.reset(s, n - s);
                    shadow.reset(s, n - s);
                }
                case RESET_UNALIGNED -> {
                    boolean aligned = count == 0 || start % gran == 0 && (count % gran == 0 || start + count == n);
                    if (aligned) {
                        hb.reset(start, count);
                        shadow.reset(start, count);
                    } else {
                        assertThatThrownBy(() -> hb.reset(start, count)).isInstanceOf(IllegalArgumentException.class);
                    }
                }
                case ZERO_LENGTH -> {
                    hb.set(start, 0);
                    hb.reset(start, 0);
                }
                case TRUNCATE -> {
                    long newSize = op.b() % 5001;
                    hb.truncate(newSize);
                    shadow.truncate(newSize);
                }
                case RESET_ALL -> {
                    hb.resetAll();
                    shadow.granules.clear();
                }
                case ROUND_TRIP -> {
                    if (n > 0) {
                        byte[] buf = new byte[(int) hb.serializationSize(0, n)];
                        hb.serializePart(buf, 0, n);
                        HBitmap back = HBitmap.create(n, granularity);
                        back.deserializePart(buf, 0, n, true);
                        assertThat(back.sameBits(hb)).isTrue();
                        assertThat(back.count()).isEqualTo(hb.count());
                        assertThat(back.sha256Hex()).isEqualTo(hb.sha256Hex());
                    }
                }
                default -> throw new AssertionError(op);
            }
            shadow.assertMatches(hb);
            long probe = hb.size() == 0 ? 0 : op.a() % hb.size();
            assertThat(hb.nextDirty(probe, op.b())).isEqualTo(shadow.nextDirty(probe, op.b()));
            assertThat(hb.nextZero(probe, op.b())).isEqualTo(shadow.nextZero(probe, op.b()));
            assertThat(hb.nextDirtyArea(probe, probe + op.b(), 1 + op.a() % 300))
                    .isEqualTo(shadow.nextDirtyArea(probe, probe + op.b(), 1 + op.a() % 300));
            assertThat(ShadowBitmap.iterate(hb, probe)).isEqualTo(shadow.iterationFrom(probe));
            assertThat(ShadowBitmap.iterateInBatches(hb, probe, 1 + op.b() % 70)).as("in batches")
                    .isEqualTo(shadow.iterationFrom(probe));
        }
    }

    @Property(tries = 100)
    void mergingAgreesWithTheUnionOfItemRanges(
            @ForAll @IntRange(min = 1, max = 3000) int size,
            @ForAll @IntRange(min = 0, max = 4) int granA,
            @ForAll @IntRange(min = 0, max = 4) int granB,
            @ForAll("ops") List<Op> ops) {
        HBitmap a = HBitmap.create(size, granA);
        HBitmap b = HBitmap.create(size, granB);
        boolean[] itemsA = new boolean[size];
        boolean[] itemsB = new boolean[size];
        for (Op op : ops) {
            long start = op.a() % size;
            long count = op.b() % (size - start + 1) % 200;
            boolean toA = op.kind().ordinal() % 2 == 0;
            (toA ? a : b).set(start, count);
        }
        // Items dirty in the inputs, as the inputs report them.
        for (int i = 0; i < size; i++) {
            itemsA[i] = a.get(i);
            itemsB[i] = b.get(i);
        }
        a.mergeFrom(b);
        ShadowBitmap expected = new ShadowBitmap(size, granA);
        for (int i = 0; i < size; i++) {
            if (itemsA[i] || itemsB[i]) {
                expected.set(i, 1);
            }
        }
        expected.assertMatches(a);
    }
}
