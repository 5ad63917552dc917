package dev.bitmig.impl.qcow2;

import java.util.BitSet;
import java.util.Optional;

/**
 * A bitmap as a QEMU-style read-write open sees it: consistent bitmaps carry their bits, inconsistent ones (found
 * IN_USE on disk) carry none and are never stored back.
 */
public record LoadedBitmap(String name, int granularityBits, boolean enabled, boolean inconsistent, BitSet bits) {

    public LoadedBitmap {
        bits = bits == null ? null : (BitSet) bits.clone();
        if (inconsistent != (bits == null)) {
            throw new IllegalArgumentException("an inconsistent bitmap has no bits, a consistent one has bits");
        }
    }

    public Optional<BitSet> data() {
        return Optional.ofNullable(bits).map(b -> (BitSet) b.clone());
    }

    @Override
    public BitSet bits() {
        return bits == null ? null : (BitSet) bits.clone();
    }

    public long granularity() {
        return 1L << granularityBits;
    }
}
