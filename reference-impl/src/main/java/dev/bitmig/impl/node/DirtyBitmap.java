package dev.bitmig.impl.node;

import dev.bitmig.impl.hbitmap.HBitmap;

/**
 * A BdrvDirtyBitmap (block/dirty-bitmap.c): an HBitmap over the disk's bytes plus QEMU's flags. Mutable. While a
 * successor exists the parent is frozen (disabled) and the successor records if it is enabled.
 */
public final class DirtyBitmap {
    private final long granularityBytes;
    private HBitmap bits;
    private boolean persistent;
    private boolean enabled;
    private boolean busy;
    private boolean skipStore;
    private boolean inconsistent;
    private boolean readonly;
    private HBitmap successor;
    private boolean successorEnabled;

    public DirtyBitmap(long granularityBytes, HBitmap bits, boolean persistent, boolean enabled) {
        this.granularityBytes = granularityBytes;
        this.bits = bits;
        this.persistent = persistent;
        this.enabled = enabled;
    }

    /** A deep copy. */
    public DirtyBitmap copy() {
        DirtyBitmap c = new DirtyBitmap(granularityBytes, bits.copy(), persistent, enabled);
        c.busy = busy;
        c.skipStore = skipStore;
        c.inconsistent = inconsistent;
        c.readonly = readonly;
        c.successor = successor == null ? null : successor.copy();
        c.successorEnabled = successorEnabled;
        return c;
    }

    public long granularityBytes() {
        return granularityBytes;
    }

    public HBitmap bits() {
        return bits;
    }

    public void replaceBits(HBitmap b) {
        this.bits = b;
    }

    /** bdrv_set_dirty: an enabled bitmap records the byte range, rounded outward; so does an enabled successor. */
    public void markDirty(long offset, long bytes) {
        if (enabled) {
            bits.set(offset, bytes);
        }
        if (successor != null && successorEnabled) {
            successor.set(offset, bytes);
        }
    }

    /** bdrv_clear_dirty_bitmap: a range reset over the whole bitmap. */
    public void clear() {
        bits.reset(0, bits.size());
    }

    /** What the bitmap reports: its own bits and its successor's. */
    public HBitmap reported() {
        if (successor == null) {
            return bits;
        }
        HBitmap all = bits.copy();
        all.mergeFrom(successor);
        return all;
    }

    /** bdrv_dirty_bitmap_create_successor: the parent freezes; the child records when enabled. */
    public void createSuccessor(HBitmap empty, boolean successorEnabled) {
        this.successor = empty;
        this.successorEnabled = successorEnabled;
    }

    public HBitmap successor() {
        return successor;
    }

    public boolean hasSuccessor() {
        return successor != null;
    }

    public boolean successorEnabled() {
        return successorEnabled;
    }

    /** Drops the successor without merging (abdicate's bookkeeping, or a reclaim that already merged it). */
    public void dropSuccessor() {
        this.successor = null;
        this.successorEnabled = false;
    }

    /** bdrv_dirty_bitmap_get_persistence: persistent && !skip_store. */
    public boolean persistence() {
        return persistent && !skipStore;
    }

    public boolean persistent() {
        return persistent;
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean busy() {
        return busy;
    }

    public boolean skipStore() {
        return skipStore;
    }

    public boolean inconsistent() {
        return inconsistent;
    }

    public boolean readonly() {
        return readonly;
    }

    public void setPersistent(boolean v) {
        persistent = v;
    }

    public void setEnabled(boolean v) {
        enabled = v;
    }

    public void setBusy(boolean v) {
        busy = v;
    }

    public void setSkipStore(boolean v) {
        skipStore = v;
    }

    public void setInconsistent(boolean v) {
        inconsistent = v;
    }

    public void setReadonly(boolean v) {
        readonly = v;
    }
}
