package dev.bitmig.bench;

import dev.bitmig.impl.hbitmap.HBitmap;
import io.vavr.collection.TreeSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.roaringbitmap.BitSetUtil;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBatchIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * One dirty bitmap of {@code 2^log2Bits} bits, each bit a 64 KiB granule, behind the operations the benchmarks time.
 * Every implementation gives the same answers (the tests check it); only the cost differs.
 */
public abstract class BitmapAdapter {
    protected final long bits;

    protected BitmapAdapter(long bits) {
        this.bits = bits;
    }

    public abstract BitmapKind kind();

    public long sizeInBits() {
        return bits;
    }

    /** A guest write of {@code length} bytes at byte {@code offset}: marks the granules it touches. */
    public abstract void write(long offset, long length);

    /** Clears the whole granules {@code [firstBit, firstBit + n)}. */
    public abstract void resetAligned(long firstBit, long n);

    /** Walks every dirty bit in order (next-dirty iteration); returns the sum of their indexes. */
    public abstract long iterate();

    /**
     * As {@link #iterate()}, through the implementation's batch API where it has one (HBitmap's {@code next(long[])},
     * Roaring's batch iterator), in batches of {@link #ITERATION_BATCH}; an implementation without one iterates as in
     * {@link #iterate()}.
     */
    public long iterateBatch() {
        return iterate();
    }

    /** Positions per batch of {@link #iterateBatch()}. */
    public static final int ITERATION_BATCH = 256;

    /** Number of dirty bits. */
    public abstract long count();

    /** {@code this |= other}; {@code other} is of the same kind and size. */
    public abstract void mergeFrom(BitmapAdapter other);

    /** Clears every bit. */
    public abstract void clear();

    /** The implementation's own serialized form. */
    public abstract Object serialize();

    /** Replaces the contents with a serialized form made by {@link #serialize()} of the same kind. */
    public abstract void deserialize(Object serialized);

    /**
     * SHA-256 as QEMU's hbitmap_sha256 defines it: all {@code ceil(bits / 64)} last-level words as little-endian
     * bytes, whatever the implementation stores.
     */
    public abstract byte[] sha256();

    /** An independent copy. */
    public abstract BitmapAdapter copy();

    /** The object graph that holds the bits (for the footprint measurement). */
    public abstract Object root();

    /** The contents as {@code ceil(bits / 64)} words, for tests. */
    public abstract long[] words();

    protected int wordCount() {
        return (int) Math.max(1, (bits + 63) >>> 6);
    }

    protected static long firstBit(long offset) {
        return offset >>> Fixtures.GRANULE_SHIFT;
    }

    protected static long lastBit(long offset, long length) {
        return (offset + length - 1) >>> Fixtures.GRANULE_SHIFT;
    }

    protected static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Digest of {@code words} (possibly trimmed of trailing zero words) padded with zero words to {@code total}. */
    protected static byte[] digestPadded(byte[] leBytes, int totalWords) {
        MessageDigest md = sha();
        md.update(leBytes);
        long rest = (long) totalWords * Long.BYTES - leBytes.length;
        byte[] zeros = new byte[8192];
        while (rest > 0) {
            int n = (int) Math.min(rest, zeros.length);
            md.update(zeros, 0, n);
            rest -= n;
        }
        return md.digest();
    }

    /** An empty bitmap of {@code 2^log2Bits} bits. */
    public static BitmapAdapter empty(BitmapKind kind, int log2Bits) {
        long n = 1L << log2Bits;
        return switch (kind) {
            case HBitmap -> new H(n);
            case HBitmapBefore -> new HBitmapBeforeAdapter(n);
            case BitSet -> new B(n);
            case Roaring -> new R(n);
            case Model -> new ModelAdapter(n);
        };
    }

    /** A bitmap of {@code 2^log2Bits} bits holding {@code words} (from {@link Fixtures#pattern}). */
    public static BitmapAdapter of(BitmapKind kind, int log2Bits, long[] words) {
        long n = 1L << log2Bits;
        return switch (kind) {
            case HBitmap -> {
                H h = new H(n);
                h.hb.deserializePart(Fixtures.leBytes(words), 0, h.hb.size(), true);
                yield h;
            }
            case HBitmapBefore -> HBitmapBeforeAdapter.of(n, Fixtures.leBytes(words));
            case BitSet -> {
                B b = new B(n);
                b.bs.or(java.util.BitSet.valueOf(words));
                yield b;
            }
            case Roaring -> new R(n, BitSetUtil.bitmapOf(words));
            case Model -> new ModelAdapter(n, TreeSet.ofAll(Fixtures.indexes(words)));
        };
    }

    // ------------------------------------------------------------------------------------------------ HBitmap

    /** bitmig's HBitmap with bytes as items and a 64 KiB granularity, as QEMU's dirty bitmaps. */
    static final class H extends BitmapAdapter {
        final HBitmap hb;
        private byte[] buf;

        H(long n) {
            this(n, HBitmap.create(n << Fixtures.GRANULE_SHIFT, Fixtures.GRANULE_SHIFT));
        }

        private H(long n, HBitmap hb) {
            super(n);
            this.hb = hb;
        }

        @Override
        public BitmapKind kind() {
            return BitmapKind.HBitmap;
        }

        @Override
        public void write(long offset, long length) {
            hb.set(offset, length);
        }

        @Override
        public void resetAligned(long firstBit, long n) {
            hb.reset(firstBit << Fixtures.GRANULE_SHIFT, n << Fixtures.GRANULE_SHIFT);
        }

        @Override
        public long iterate() {
            HBitmap.Iter it = hb.iterator(0);
            long sum = 0;
            for (long item = it.next(); item >= 0; item = it.next()) {
                sum += item >>> Fixtures.GRANULE_SHIFT;
            }
            return sum;
        }

        @Override
        public long iterateBatch() {
            HBitmap.Iter it = hb.iterator(0);
            long[] items = new long[ITERATION_BATCH];
            long sum = 0;
            for (int n; (n = it.next(items)) > 0; ) {
                for (int k = 0; k < n; k++) {
                    sum += items[k] >>> Fixtures.GRANULE_SHIFT;
                }
            }
            return sum;
        }

        @Override
        public long count() {
            return hb.count() >>> Fixtures.GRANULE_SHIFT;
        }

        @Override
        public void mergeFrom(BitmapAdapter other) {
            hb.mergeFrom(((H) other).hb);
        }

        @Override
        public void clear() {
            hb.resetAll();
        }

        @Override
        public Object serialize() {
            int n = Math.toIntExact(hb.serializationSize(0, hb.size()));
            if (buf == null || buf.length != n) {
                buf = new byte[n];
            }
            hb.serializePart(buf, 0, hb.size());
            return buf;
        }

        @Override
        public void deserialize(Object serialized) {
            hb.deserializePart((byte[]) serialized, 0, hb.size(), true);
        }

        @Override
        public byte[] sha256() {
            return hb.sha256();
        }

        @Override
        public BitmapAdapter copy() {
            return new H(bits, hb.copy());
        }

        @Override
        public Object root() {
            return hb;
        }

        @Override
        public long[] words() {
            long[] w = new long[wordCount()];
            for (long g : hb.dirtyGranules()) {
                w[(int) (g >>> 6)] |= 1L << g;
            }
            return w;
        }
    }

    // ------------------------------------------------------------------------------------------------ BitSet

    /** {@link java.util.BitSet}, allocated for the whole size up front. */
    static final class B extends BitmapAdapter {
        java.util.BitSet bs;

        B(long n) {
            this(n, new java.util.BitSet(Math.toIntExact(n)));
        }

        private B(long n, java.util.BitSet bs) {
            super(n);
            this.bs = bs;
        }

        @Override
        public BitmapKind kind() {
            return BitmapKind.BitSet;
        }

        @Override
        public void write(long offset, long length) {
            bs.set((int) firstBit(offset), (int) lastBit(offset, length) + 1);
        }

        @Override
        public void resetAligned(long firstBit, long n) {
            bs.clear((int) firstBit, (int) (firstBit + n));
        }

        @Override
        public long iterate() {
            long sum = 0;
            for (int i = bs.nextSetBit(0); i >= 0; i = bs.nextSetBit(i + 1)) {
                sum += i;
            }
            return sum;
        }

        @Override
        public long count() {
            return bs.cardinality();
        }

        @Override
        public void mergeFrom(BitmapAdapter other) {
            bs.or(((B) other).bs);
        }

        @Override
        public void clear() {
            bs.clear();
        }

        @Override
        public Object serialize() {
            return bs.toLongArray();
        }

        @Override
        public void deserialize(Object serialized) {
            bs = java.util.BitSet.valueOf((long[]) serialized);
        }

        @Override
        public byte[] sha256() {
            return digestPadded(bs.toByteArray(), wordCount());
        }

        @Override
        public BitmapAdapter copy() {
            return new B(bits, (java.util.BitSet) bs.clone());
        }

        @Override
        public Object root() {
            return bs;
        }

        @Override
        public long[] words() {
            return java.util.Arrays.copyOf(bs.toLongArray(), wordCount());
        }
    }

    // ------------------------------------------------------------------------------------------------ Roaring

    /** RoaringBitmap (32-bit), containers chosen by the library; no runOptimize. */
    static final class R extends BitmapAdapter {
        final RoaringBitmap rb;
        private ByteBuffer buf;

        R(long n) {
            this(n, new RoaringBitmap());
        }

        private R(long n, RoaringBitmap rb) {
            super(n);
            this.rb = rb;
        }

        @Override
        public BitmapKind kind() {
            return BitmapKind.Roaring;
        }

        @Override
        public void write(long offset, long length) {
            rb.add(firstBit(offset), lastBit(offset, length) + 1);
        }

        @Override
        public void resetAligned(long firstBit, long n) {
            rb.remove(firstBit, firstBit + n);
        }

        @Override
        public long iterate() {
            PeekableIntIterator it = rb.getIntIterator();
            long sum = 0;
            while (it.hasNext()) {
                sum += it.next();
            }
            return sum;
        }

        @Override
        public long iterateBatch() {
            RoaringBatchIterator it = rb.getBatchIterator();
            int[] items = new int[ITERATION_BATCH];
            long sum = 0;
            while (it.hasNext()) {
                int n = it.nextBatch(items);
                for (int k = 0; k < n; k++) {
                    sum += items[k];
                }
            }
            return sum;
        }

        @Override
        public long count() {
            return rb.getLongCardinality();
        }

        @Override
        public void mergeFrom(BitmapAdapter other) {
            rb.or(((R) other).rb);
        }

        @Override
        public void clear() {
            rb.clear();
        }

        @Override
        public Object serialize() {
            int n = rb.serializedSizeInBytes();
            if (buf == null || buf.capacity() < n) {
                buf = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            }
            buf.clear();
            rb.serialize(buf);
            buf.flip();
            return buf;
        }

        @Override
        public void deserialize(Object serialized) {
            ByteBuffer in = ((ByteBuffer) serialized).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            try {
                rb.deserialize(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public byte[] sha256() {
            long[] w = BitSetUtil.toLongArray(rb);
            ByteBuffer le = ByteBuffer.allocate(w.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            le.asLongBuffer().put(w);
            return digestPadded(le.array(), wordCount());
        }

        @Override
        public BitmapAdapter copy() {
            return new R(bits, rb.clone());
        }

        @Override
        public Object root() {
            return rb;
        }

        @Override
        public long[] words() {
            return java.util.Arrays.copyOf(BitSetUtil.toLongArray(rb), wordCount());
        }
    }
}
