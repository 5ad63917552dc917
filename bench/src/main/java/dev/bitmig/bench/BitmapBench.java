package dev.bitmig.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bitmap operations over the implementations of ({@link BitmapKind}) at {@code 2^log2Bits} bits of 64 KiB granules
 * (see {@link Fixtures} for the units). All scores are throughput, operations per second. The model's
 * representation runs at a capped size where {@link ModelCap} says so.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms1g", "-Xmx8g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class BitmapBench {
    /** Writes or resets per invocation: each is reported as one operation. */
    public static final int BATCH = 1024;
    private static final int POOL = 1 << 16;

    /** Random guest writes into a bitmap that is clean at the start of every iteration. */
    @State(Scope.Thread)
    public static class WriteState {
        @Param({"HBitmap", "HBitmapBefore", "BitSet", "Roaring", "Model"})
        public BitmapKind impl;
        @Param({"24", "28"})
        public int log2Bits;
        BitmapAdapter bitmap;
        long[] writes;
        int pos;

        @Setup(Level.Trial)
        public void trial() {
            writes = Fixtures.writes(ModelCap.effectiveLog2Bits(impl, log2Bits, 0), POOL, 11);
        }

        @Setup(Level.Iteration)
        public void iteration() {
            bitmap = null;
            bitmap = BitmapAdapter.empty(impl, ModelCap.effectiveLog2Bits(impl, log2Bits, 0));
        }
    }

    /** Aligned resets of 1..16 granules on a bitmap that is 50 % dirty at the start of every iteration. */
    @State(Scope.Thread)
    public static class ResetState {
        @Param({"HBitmap", "HBitmapBefore", "BitSet", "Roaring", "Model"})
        public BitmapKind impl;
        @Param({"24", "28"})
        public int log2Bits;
        BitmapAdapter bitmap;
        long[] pattern;
        long[] resets;
        int eff;
        int pos;

        @Setup(Level.Trial)
        public void trial() {
            eff = ModelCap.effectiveLog2Bits(impl, log2Bits, 0.5);
            pattern = Fixtures.pattern(eff, 0.5, 21);
            resets = Fixtures.resets(eff, POOL, 22);
        }

        @Setup(Level.Iteration)
        public void iteration() {
            bitmap = null;
            bitmap = BitmapAdapter.of(impl, eff, pattern);
        }
    }

    /** A read-only bitmap at 0.01 %, 1 % or 50 % dirty. */
    @State(Scope.Thread)
    public static class DirtyState {
        @Param({"HBitmap", "HBitmapBefore", "BitSet", "Roaring", "Model"})
        public BitmapKind impl;
        @Param({"24", "28"})
        public int log2Bits;
        @Param({"0.01", "1", "50"})
        public String dirty;
        BitmapAdapter bitmap;

        @Setup(Level.Trial)
        public void trial() {
            double f = Fixtures.fraction(dirty);
            int eff = ModelCap.effectiveLog2Bits(impl, log2Bits, f);
            bitmap = BitmapAdapter.of(impl, eff, Fixtures.pattern(eff, f, 31));
        }
    }

    /** Two bitmaps at 1 % dirty (different patterns), and the first one's serialized form. */
    @State(Scope.Thread)
    public static class OnePercentState {
        @Param({"HBitmap", "HBitmapBefore", "BitSet", "Roaring", "Model"})
        public BitmapKind impl;
        @Param({"24", "28"})
        public int log2Bits;
        BitmapAdapter a;
        BitmapAdapter b;
        BitmapAdapter target;
        Object serialized;

        @Setup(Level.Trial)
        public void trial() {
            int eff = ModelCap.effectiveLog2Bits(impl, log2Bits, 0.01);
            a = BitmapAdapter.of(impl, eff, Fixtures.pattern(eff, 0.01, 41));
            b = BitmapAdapter.of(impl, eff, Fixtures.pattern(eff, 0.01, 42));
            serialized = a.copy().serialize();
            target = BitmapAdapter.empty(impl, eff);
        }
    }

    /** A 1 % dirty bitmap, copied afresh before every invocation so that each clear has work to do. */
    @State(Scope.Thread)
    public static class ClearState {
        @Param({"HBitmap", "HBitmapBefore", "BitSet", "Roaring", "Model"})
        public BitmapKind impl;
        @Param({"24", "28"})
        public int log2Bits;
        BitmapAdapter pristine;
        BitmapAdapter work;

        @Setup(Level.Trial)
        public void trial() {
            int eff = ModelCap.effectiveLog2Bits(impl, log2Bits, 0.01);
            pristine = BitmapAdapter.of(impl, eff, Fixtures.pattern(eff, 0.01, 51));
        }

        @Setup(Level.Invocation)
        public void invocation() {
            work = pristine.copy();
        }
    }

    /** The bandwidth baseline: as many bytes as the bitmap's last level. */
    @State(Scope.Thread)
    public static class CopyState {
        @Param({"24", "28"})
        public int log2Bits;
        byte[] src;
        byte[] dst;

        @Setup(Level.Trial)
        public void trial() {
            src = Fixtures.leBytes(Fixtures.pattern(log2Bits, 0.01, 61));
            dst = new byte[src.length];
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void write(WriteState s) {
        long[] w = s.writes;
        int p = s.pos;
        BitmapAdapter b = s.bitmap;
        for (int k = 0; k < BATCH; k++) {
            b.write(w[2 * p], w[2 * p + 1]);
            p = (p + 1) & (POOL - 1);
        }
        s.pos = p;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void resetAligned(ResetState s) {
        long[] r = s.resets;
        int p = s.pos;
        BitmapAdapter b = s.bitmap;
        for (int k = 0; k < BATCH; k++) {
            b.resetAligned(r[2 * p], r[2 * p + 1]);
            p = (p + 1) & (POOL - 1);
        }
        s.pos = p;
    }

    /** One full next-dirty walk over the bitmap. */
    @Benchmark
    public long iterate(DirtyState s) {
        return s.bitmap.iterate();
    }

    /** The same walk through each implementation's batch API (see {@link BitmapAdapter#iterateBatch()}). */
    @Benchmark
    public long iterateBatch(DirtyState s) {
        return s.bitmap.iterateBatch();
    }

    @Benchmark
    public long count(OnePercentState s) {
        return s.a.count();
    }

    /** {@code a |= b}, both 1 % dirty; after the first call {@code a} already holds {@code b}. */
    @Benchmark
    public BitmapAdapter merge(OnePercentState s) {
        s.a.mergeFrom(s.b);
        return s.a;
    }

    @Benchmark
    public BitmapAdapter clear(ClearState s) {
        s.work.clear();
        return s.work;
    }

    @Benchmark
    public Object serialize(OnePercentState s) {
        return s.a.serialize();
    }

    @Benchmark
    public BitmapAdapter deserialize(OnePercentState s) {
        s.target.deserialize(s.serialized);
        return s.target;
    }

    @Benchmark
    public byte[] sha256(OnePercentState s) {
        return s.a.sha256();
    }

    /** {@code System.arraycopy} of {@code 2^log2Bits / 8} bytes: what serializing the last level costs at best. */
    @Benchmark
    public byte[] arraycopy(CopyState s) {
        System.arraycopy(s.src, 0, s.dst, 0, s.src.length);
        return s.dst;
    }
}
