package dev.bitmig.impl;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BackupJobState;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.model.Action;
import dev.bitmig.model.BackupJob;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;

import static dev.bitmig.impl.Rejection.reject;
import static dev.bitmig.impl.Rejection.rejectIf;

/**
 * Backup jobs on the implementation (block/backup.c, block/block-copy.c, block/dirty-bitmap.c): the guards of
 * blockdev-backup, the successor, the job's steps and its end. Two seeded faults live here.
 */
final class Backups {
    private final ImplSystem sys;

    Backups(ImplSystem sys) {
        this.sys = sys;
    }

    /** blockdev.c do_backup_common and block/backup.c backup_job_create, in QEMU's order. */
    void start(BlockNode n, Action.BackupStart a) {
        if (!n.isActive()) reject(QemuErrors.NODE_INACTIVE);
        if (sys.migration().isActive()) reject(QemuErrors.BACKUP_DURING_MIGRATION);
        if (a.sync() == Action.Sync.INCREMENTAL && a.mode() != Action.BitmapMode.ON_SUCCESS) {
            reject(QemuErrors.bitmapModeMustBeOnSuccess(a.sync().qapi()));
        }
        DirtyBitmap b = n.bitmap(a.bitmap());
        if (b == null) reject(QemuErrors.backupBitmapNotFound(a.bitmap()));
        rejectIf(n.check(a.bitmap(), false, true));
        if (n.mirror() != null) reject(QemuErrors.NODE_BUSY_WITH_JOB);
        if (n.backup() != null) reject(QemuErrors.BACKUP_TARGET_BUSY);
        if (a.mode() != Action.BitmapMode.NEVER && b.readonly()) reject(QemuErrors.readonly(a.bitmap()));
        // blockdev.c bds_tree_init: the job's target, added while the VM is incoming, opens inactive.
        if (n.run() == RunState.INMIGRATE) reject(QemuErrors.BACKUP_TARGET_INACTIVE);

        // backup_init_bcs_bitmap: the block-copy bitmap starts as the sync bitmap, at the copy's cluster size.
        HBitmap toCopy = sys.disk().newBits(Disk.CLUSTER);
        for (long g : b.bits().dirtyGranules()) {
            long at = g * b.granularityBytes();
            toCopy.set(at, Math.min(b.granularityBytes(), toCopy.size() - at));
        }
        // bdrv_dirty_bitmap_create_successor: the successor records iff the bitmap did; the bitmap freezes.
        b.createSuccessor(sys.disk().newBits(b.granularityBytes()), b.enabled());
        b.setEnabled(false);
        b.setBusy(true);
        n.setBackup(new BackupJobState(a.bitmap(), a.sync(), a.mode(), toCopy));
    }

    /** backup_loop copies the next cluster; with none left the job completes (backup_commit). */
    void copy(BlockNode n) {
        if (n.backup() == null) reject(QemuErrors.jobNotFound(BackupJob.JOB_ID));
        if (!n.backup().copyNext(Disk.CLUSTER)) {
            end(n, true);
        }
    }

    /** A target write error or block-job-cancel: backup_abort. */
    void abort(BlockNode n) {
        if (n.backup() == null) reject(QemuErrors.jobNotFound(BackupJob.JOB_ID));
        end(n, false);
    }

    /** qemu_cleanup: job_cancel_sync_all before bdrv_close_all. */
    void cancelForQuit(NodeId id) {
        BlockNode n = sys.node(id);
        if (n.backup() != null) {
            end(n, false);
        }
    }

    /** block/copy-before-write.c: a write first has the job copy the clusters it still had to copy. */
    static void copyBeforeWrite(BlockNode n, long offset, long bytes) {
        if (n.backup() != null) {
            n.backup().toCopy().reset(offset, bytes);
        }
    }

    /** backup_cleanup_sync_bitmap: abdicate or reclaim, then (failed, always) merge in what was not copied. */
    private void end(BlockNode n, boolean succeeded) {
        BackupJobState job = n.backup();
        n.setBackup(null);
        DirtyBitmap b = n.bitmap(job.bitmap());
        boolean abdicate = (succeeded || job.mode() == Action.BitmapMode.ALWAYS) && job.mode() != Action.BitmapMode.NEVER;
        if (abdicate) {
            // bdrv_dirty_bitmap_abdicate: the successor takes the name and persistent; the old bits are released.
            HBitmap bits = sys.has(Fault.ABDICATE_KEEPS_OLD_BITS) ? HBitmap.merge(b.bits(), b.successor()) : b.successor();
            DirtyBitmap heir = new DirtyBitmap(b.granularityBytes(), bits, b.persistent(), b.successorEnabled());
            if (!succeeded) {
                heir.bits().mergeFrom(regrained(job.toCopy(), b.granularityBytes()));
            }
            n.bitmaps().put(job.bitmap(), heir);
            return;
        }
        // bdrv_reclaim_dirty_bitmap: the successor's bits merge into the bitmap, which takes its enabled state.
        if (!(sys.has(Fault.BACKUP_FAILURE_DROPS_SUCCESSOR) && !succeeded)) {
            b.bits().mergeFrom(b.successor());
        }
        b.setEnabled(b.successorEnabled());
        b.setBusy(false);
        b.dropSuccessor();
    }

    /** bdrv_dirty_bitmap_merge_internal of the block-copy bitmap into one of another granularity. */
    private HBitmap regrained(HBitmap clusters, long granularityBytes) {
        HBitmap out = sys.disk().newBits(granularityBytes);
        for (long c : clusters.dirtyGranules()) {
            long at = c * Disk.CLUSTER;
            out.set(at, Math.min(Disk.CLUSTER, out.size() - at));
        }
        return out;
    }
}
