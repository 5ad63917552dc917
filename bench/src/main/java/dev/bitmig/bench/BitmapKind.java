package dev.bitmig.bench;

/** The four bitmap implementations the benchmarks compare. */
public enum BitmapKind {
    /** bitmig's hierarchical bitmap ({@code util/hbitmap.c}'s design): the implementation under test. */
    HBitmap,
    /** {@link java.util.BitSet}: one flat array of words. */
    BitSet,
    /** RoaringBitmap: 2^16-bit containers stored as sorted arrays, plain bitmaps or runs. */
    Roaring,
    /** The model's own representation: a vavr {@code SortedSet<Integer>} of dirty granule indexes. */
    Model
}
