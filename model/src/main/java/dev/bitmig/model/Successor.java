package dev.bitmig.model;

import io.vavr.collection.SortedSet;

/**
 * The anonymous child of a busy bitmap (block/dirty-bitmap.c bdrv_dirty_bitmap_create_successor). While it exists the
 * parent is disabled and the successor records if enabled. Reclaim ORs it into the parent.
 */
public record Successor(boolean enabled, SortedSet<Integer> granules) {
    public static Successor disabledEmpty() {
        return new Successor(false, Granules.NONE);
    }

    public Successor record(SortedSet<Integer> written) {
        return enabled ? new Successor(true, granules.addAll(written)) : this;
    }
}
