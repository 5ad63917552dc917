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

    /**
     * block-dirty-bitmap-add with its QAPI defaults (persistent=false, disabled=false): a fresh, empty, enabled,
     * transient bitmap. The only place that spells out every flag; everything else names what it changes.
     */
    public static Bitmap added(int granularity, int lineage) {
        return new Bitmap(granularity, false, true, false, false, false, false, Granules.NONE, Option.none(), lineage);
    }

    /**
     * R9 (migration/block-dirty-bitmap.c dirty_bitmap_load_start): a bitmap arriving on the target is created empty,
     * disabled and busy; if it was enabled on the source, a successor records the target's writes until completion.
     */
    public static Bitmap arriving(int granularity, boolean persistent, boolean wasEnabled, int lineage) {
        Bitmap frozen = added(granularity, lineage).withPersistent(persistent).withEnabled(false).withBusy(true);
        return wasEnabled ? frozen.withSuccessor(Option.some(Successor.disabledEmpty())) : frozen;
    }

    /** qcow2-bitmap.c: an IN_USE entry loads as inconsistent: disabled, no data, only remove works. */
    public static Bitmap inconsistent(int granularity, int lineage) {
        return added(granularity, lineage).withPersistent(true).withEnabled(false).withInconsistent(true);
    }

    /**
     * block/qcow2-bitmap.c qcow2_load_dirty_bitmaps: a clean directory entry loads as a persistent bitmap with the
     * stored bits, enabled iff AUTO, and read-only when the node is not writable.
     */
    public static Bitmap loaded(StoredBitmap entry, boolean writable) {
        return added(entry.granularity(), entry.lineage()).withPersistent(true).withEnabled(entry.auto())
                .withGranules(entry.granules()).withReadonly(!writable);
    }

    /**
     * block/dirty-bitmap.c bdrv_reclaim_dirty_bitmap: the successor's bits merge into the bitmap, which takes the
     * successor's enabled state and stops being busy.
     */
    public Bitmap reclaimed() {
        return new Bitmap(granularity, persistent, successor.exists(Successor::enabled), false, skipStore, inconsistent,
                readonly, reported(), Option.none(), lineage);
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

    public Bitmap withInconsistent(boolean i) {
        return new Bitmap(granularity, persistent, enabled, busy, skipStore, i, readonly, granules, successor, lineage);
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
