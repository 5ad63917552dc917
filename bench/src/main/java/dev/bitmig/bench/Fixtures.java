package dev.bitmig.bench;

import java.util.SplittableRandom;

/**
 * Deterministic inputs shared by the benchmarks, the footprint measurement and the tests.
 *
 * <p>Units: a bitmap of {@code 2^log2Bits} bits tracks a disk of {@code 2^log2Bits} granules of 64 KiB (the default
 * cluster and bitmap granularity), so 2^24 bits cover 1 TiB and 2^28 bits 16 TiB. Guest writes are 4 KiB-aligned and
 * 4 KiB to 1 MiB long; each touches 1 to 17 bits (it is rounded outward to whole granules). Aligned resets clear 1 to
 * 16 whole granules. Dirty patterns are made of such writes, placed uniformly at random, until the requested share of
 * bits is set: dirtiness comes in short runs, as a guest's does.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** log2 of the granularity in bytes: 64 KiB. */
    public static final int GRANULE_SHIFT = 16;
    public static final long GRANULE_BYTES = 1L << GRANULE_SHIFT;
    public static final long MIN_WRITE = 4096;
    public static final long MAX_WRITE = 1 << 20;
    /** The longest aligned reset, in bits. */
    public static final int MAX_RESET_BITS = 16;

    /** Bytes of disk a bitmap of {@code 2^log2Bits} bits covers. */
    public static long diskBytes(int log2Bits) {
        return (1L << log2Bits) << GRANULE_SHIFT;
    }

    /** A percentage parameter ("0.01", "1", "50") as a fraction. */
    public static double fraction(String dirtyPercent) {
        return Double.parseDouble(dirtyPercent) / 100.0;
    }

    /** Random guest writes: {@code [offset0, length0, offset1, length1, ...]} in bytes. */
    public static long[] writes(int log2Bits, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long disk = diskBytes(log2Bits);
        long pages = disk / MIN_WRITE;
        long[] out = new long[2 * n];
        for (int i = 0; i < n; i++) {
            long offset = rnd.nextLong(pages) * MIN_WRITE;
            long length = (1 + rnd.nextLong(MAX_WRITE / MIN_WRITE)) * MIN_WRITE;
            out[2 * i] = offset;
            out[2 * i + 1] = Math.min(length, disk - offset);
        }
        return out;
    }

    /** Random aligned resets: {@code [firstBit0, bits0, firstBit1, bits1, ...]}. */
    public static long[] resets(int log2Bits, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long size = 1L << log2Bits;
        long[] out = new long[2 * n];
        for (int i = 0; i < n; i++) {
            long first = rnd.nextLong(size);
            long bits = 1 + rnd.nextInt(MAX_RESET_BITS);
            out[2 * i] = first;
            out[2 * i + 1] = Math.min(bits, size - first);
        }
        return out;
    }

    /**
     * A dirty pattern as last-level words ({@code 2^log2Bits / 64} of them, at least one): random guest writes until
     * at least {@code fraction} of the bits are set.
     */
    public static long[] pattern(int log2Bits, double fraction, long seed) {
        long size = 1L << log2Bits;
        long[] words = new long[(int) Math.max(1, size >>> 6)];
        long target = (long) Math.ceil(size * fraction);
        long disk = diskBytes(log2Bits);
        long pages = disk / MIN_WRITE;
        SplittableRandom rnd = new SplittableRandom(seed);
        long set = 0;
        while (set < target) {
            long offset = rnd.nextLong(pages) * MIN_WRITE;
            long length = Math.min((1 + rnd.nextLong(MAX_WRITE / MIN_WRITE)) * MIN_WRITE, disk - offset);
            long first = offset >>> GRANULE_SHIFT;
            long last = (offset + length - 1) >>> GRANULE_SHIFT;
            for (long b = first; b <= last && set < target; b++) {
                int w = (int) (b >>> 6);
                long m = 1L << b;
                if ((words[w] & m) == 0) {
                    words[w] |= m;
                    set++;
                }
            }
        }
        return words;
    }

    /** Words as little-endian bytes, QEMU's serialization of the last level. */
    public static byte[] leBytes(long[] words) {
        byte[] out = new byte[words.length * Long.BYTES];
        java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(words);
        return out;
    }

    /** Bit indexes of a word array, ascending. */
    public static int[] indexes(long[] words) {
        long n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        int[] out = new int[Math.toIntExact(n)];
        int k = 0;
        for (int i = 0; i < words.length; i++) {
            long w = words[i];
            while (w != 0) {
                out[k++] = (i << 6) + Long.numberOfTrailingZeros(w);
                w &= w - 1;
            }
        }
        return out;
    }
}
