package dev.bitmig.impl.node;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.model.Action;

/**
 * A backup job (block/backup.c BackupBlockJob) on the node: the name of its sync bitmap, its sync and bitmap-mode, and
 * its block-copy bitmap (block/block-copy.c s->copy_bitmap, one bit per 64 KiB cluster): a set bit is a cluster the
 * job still has to copy. Mutable.
 */
public final class BackupJobState {
    private final String bitmap;
    private final Action.Sync sync;
    private final Action.BitmapMode mode;
    private final HBitmap toCopy;

    public BackupJobState(String bitmap, Action.Sync sync, Action.BitmapMode mode, HBitmap toCopy) {
        this.bitmap = bitmap;
        this.sync = sync;
        this.mode = mode;
        this.toCopy = toCopy;
    }

    public BackupJobState copy() {
        return new BackupJobState(bitmap, sync, mode, toCopy.copy());
    }

    public String bitmap() {
        return bitmap;
    }

    public Action.Sync sync() {
        return sync;
    }

    public Action.BitmapMode mode() {
        return mode;
    }

    public HBitmap toCopy() {
        return toCopy;
    }

    /** block-copy: the first cluster still to copy is copied. Returns false when none is left. */
    public boolean copyNext(long clusterBytes) {
        long first = toCopy.nextDirty(0, toCopy.size());
        if (first < 0) {
            return false;
        }
        toCopy.reset(first / clusterBytes * clusterBytes, Math.min(clusterBytes, toCopy.size() - first));
        return true;
    }
}
