package dev.bitmig.bench;

/**
 * How far the model's representation is taken. A vavr {@code TreeSet<Integer>} costs a tree node and a boxed
 * {@code Integer} per dirty granule, and every insertion copies a path of the tree: building one of 2^23 granules
 * took 17 s on the 2-core benchmark machine, and 2^27 (50 % of 2^28 bits) would need several GiB. The model is
 * therefore benchmarked at most at {@link #MAX_LOG2_BITS} bits and with at most {@link #MAX_DIRTY} dirty granules
 * per starting pattern; above that its size is capped and the report says so.
 */
public final class ModelCap {
    private ModelCap() {
    }

    public static final int MAX_LOG2_BITS = 24;
    public static final long MAX_DIRTY = 1L << 19;

    /** The size actually used for {@code kind} when {@code log2Bits} bits at {@code fraction} dirty are asked for. */
    public static int effectiveLog2Bits(BitmapKind kind, int log2Bits, double fraction) {
        if (kind != BitmapKind.Model) {
            return log2Bits;
        }
        int eff = Math.min(log2Bits, MAX_LOG2_BITS);
        while (eff > 10 && Math.ceil((1L << eff) * fraction) > MAX_DIRTY) {
            eff--;
        }
        return eff;
    }
}
