package dev.bitmig.impl.qcow2;

import java.util.BitSet;
import java.util.Objects;

/**
 * The contents of one persistent bitmap as stored in an image: bit {@code i} of {@code bits} covers guest bytes
 * {@code [i * granularity, (i + 1) * granularity)}. {@code enabled} is the directory entry's AUTO flag.
 */
public record Qcow2Bitmap(String name, int granularityBits, boolean enabled, BitSet bits) {

    public Qcow2Bitmap {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bits, "bits");
        bits = (BitSet) bits.clone();
    }

    /** Granularity in bytes. */
    public long granularity() {
        return 1L << granularityBits;
    }

    /** Number of granules needed to cover a disk of {@code diskSize} bytes. */
    public static long granules(long diskSize, int granularityBits) {
        return (diskSize + (1L << granularityBits) - 1) >>> granularityBits;
    }

    @Override
    public BitSet bits() {
        return (BitSet) bits.clone();
    }
}
