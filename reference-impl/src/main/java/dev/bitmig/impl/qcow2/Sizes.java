package dev.bitmig.impl.qcow2;

/** Arithmetic and notation shared by every on-disk structure of the image. */
final class Sizes {

    private Sizes() {
    }

    /** {@code a / b} rounded up, for non-negative {@code a} and positive {@code b}. */
    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Rounds up to a multiple of 8, the alignment of header extensions and directory entries. */
    static long align8(long v) {
        return (v + 7) & ~7L;
    }

    /** An offset or value as it appears in error messages. */
    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
