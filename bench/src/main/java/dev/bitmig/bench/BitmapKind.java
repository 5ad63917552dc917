package dev.bitmig.bench;

/** The bitmap implementations the benchmarks compare. */
public enum BitmapKind {
    /** bitmig's hierarchical bitmap ({@code util/hbitmap.c}'s design): the implementation under test. */
    HBitmap,
    /**
     * The HBitmap as it was before the page-wise rewrite, a frozen benchmark-only copy ({@code bench/before}): the
     * "before" of the report's before/after table, measured in the same run.
     */
    HBitmapBefore,
    /** {@link java.util.BitSet}: one flat array of words. */
    BitSet,
    /** RoaringBitmap: 2^16-bit containers stored as sorted arrays, plain bitmaps or runs. */
    Roaring,
    /** The model's own representation: a vavr {@code SortedSet<Integer>} of dirty granule indexes. */
    Model
}
