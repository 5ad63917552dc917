package dev.bitmig.model;

import io.vavr.collection.SortedSet;

/**
 * A bitmap directory entry of the qcow2 image (docs/interop/qcow2.txt): flags IN_USE (bit 0) and AUTO (bit 1), the
 * granularity and the stored granules. {@code lineage} is ghost state.
 */
public record StoredBitmap(int granularity, boolean inUse, boolean auto, SortedSet<Integer> granules, int lineage) {

    /**
     * block/qcow2-bitmap.c store_bitmap: a bitmap written back on inactivate or close; IN_USE clear, AUTO iff the
     * bitmap was enabled, and the bits it reports (its successor's included).
     */
    public static StoredBitmap storedFrom(Bitmap b) {
        return new StoredBitmap(b.granularity(), false, b.enabled(), b.reported(), b.lineage());
    }

    public StoredBitmap withInUse(boolean u) {
        return new StoredBitmap(granularity, u, auto, granules, lineage);
    }

    public StoredBitmap withAuto(boolean a) {
        return new StoredBitmap(granularity, inUse, a, granules, lineage);
    }

    public StoredBitmap withGranules(SortedSet<Integer> g) {
        return new StoredBitmap(granularity, inUse, auto, g, lineage);
    }

    public StoredBitmap withLineage(int l) {
        return new StoredBitmap(granularity, inUse, auto, granules, l);
    }
}
