package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Option;

/**
 * An in-RAM BdrvDirtyBitmap (block/dirty-bitmap.c). {@code granularity} is in clusters. {@code lineage} is ghost
 * state: it names the user's bitmap across migration, reload and merge, and is erased by {@link World#observable()}.
 */
public record Bitmap(
        int granularity,
        boolean persistent,
        boolean enabled,
        boolean busy,
        boolean skipStore,
        boolean inconsistent,
        boolean readonly,
        SortedSet<Integer> granules,
        Option<Successor> successor,
        int lineage) {

    /** block-dirty-bitmap-add: a fresh, empty bitmap. */
    public static Bitmap added(int granularity, boolean persistent, boolean enabled, int lineage) {
        return new Bitmap(granularity, persistent, enabled, false, false, false, false, Granules.NONE, Option.none(), lineage);
    }

    /**
     * R9 (migration/block-dirty-bitmap.c dirty_bitmap_load_start): a bitmap arriving on the target is created empty,
     * disabled and busy; if it was enabled on the source, a successor records the target's writes until completion.
     */
    public static Bitmap arriving(int granularity, boolean persistent, boolean wasEnabled, int lineage) {
        return new Bitmap(granularity, persistent, false, true, false, false, false, Granules.NONE,
                wasEnabled ? Option.some(Successor.disabledEmpty()) : Option.none(), lineage);
    }

    /** qcow2-bitmap.c: an IN_USE entry loads as inconsistent: disabled, no data, only remove works. */
    public static Bitmap inconsistent(int granularity, int lineage) {
        return new Bitmap(granularity, true, false, false, false, true, false, Granules.NONE, Option.none(), lineage);
    }

    /** QAPI field "recording": !disabled || (successor && !successor->disabled). */
    public boolean recording() {
        return enabled || successor.exists(Successor::enabled);
    }

    /** bdrv_dirty_bitmap_get_persistence(): persistent && !skip_store. */
    public boolean persistence() {
        return persistent && !skipStore;
    }

    /** What the bitmap reports to a user: its own granules and those its successor holds. */
    public SortedSet<Integer> reported() {
        return successor.map(s -> granules.addAll(s.granules())).getOrElse(granules);
    }

    /** bdrv_set_dirty: only an enabled bitmap records; a successor records for its disabled parent. */
    public Bitmap record(SortedSet<Integer> clusters, Geometry geometry) {
        if (clusters.isEmpty()) {
            return this;
        }
        SortedSet<Integer> written = Granules.coveringClusters(clusters, granularity);
        Bitmap self = enabled ? withGranules(granules.addAll(written)) : this;
        return self.successor.isDefined() ? self.withSuccessor(self.successor.map(s -> s.record(written))) : self;
    }

    public Bitmap withGranules(SortedSet<Integer> g) {
        return new Bitmap(granularity, persistent, enabled, busy, skipStore, inconsistent, readonly, g, successor, lineage);
    }

    public Bitmap withEnabled(boolean e) {
        return new Bitmap(granularity, persistent, e, busy, skipStore, inconsistent, readonly, granules, successor, lineage);
    }

    public Bitmap withBusy(boolean b) {
        return new Bitmap(granularity, persistent, enabled, b, skipStore, inconsistent, readonly, granules, successor, lineage);
    }

    public Bitmap withSkipStore(boolean s) {
        return new Bitmap(granularity, persistent, enabled, busy, s, inconsistent, readonly, granules, successor, lineage);
    }

    public Bitmap withPersistent(boolean p) {
        return new Bitmap(granularity, p, enabled, busy, skipStore, inconsistent, readonly, granules, successor, lineage);
    }

    public Bitmap withReadonly(boolean r) {
        return new Bitmap(granularity, persistent, enabled, busy, skipStore, inconsistent, r, granules, successor, lineage);
    }

    public Bitmap withSuccessor(Option<Successor> s) {
        return new Bitmap(granularity, persistent, enabled, busy, skipStore, inconsistent, readonly, granules, s, lineage);
    }

    public Bitmap withLineage(int l) {
        return new Bitmap(granularity, persistent, enabled, busy, skipStore, inconsistent, readonly, granules, successor, l);
    }
}
