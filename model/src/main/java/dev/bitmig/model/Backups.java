package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.control.Option;

import static dev.bitmig.model.Outcome.next;
import static dev.bitmig.model.Outcome.rejected;

/**
 * The backup job's rules (block/backup.c, block/dirty-bitmap.c): start freezes the bitmap and gives it a successor,
 * steps copy, and the job's end abdicates or reclaims the successor by its result and bitmap-mode. Same shape as
 * {@link Transitions}: guards first, each with QEMU's error, then the effect.
 */
final class Backups {
    private final Geometry geometry;

    Backups(Geometry geometry) {
        this.geometry = geometry;
    }

    /**
     * blockdev.c do_backup_common, then block/backup.c backup_job_create: the sync and bitmap-mode are checked, the
     * bitmap must exist and pass BDRV_BITMAP_ALLOW_RO, the node must not be held by another job, and unless the mode is
     * never the bitmap must be writable (BDRV_BITMAP_DEFAULT); then bdrv_dirty_bitmap_create_successor freezes it.
     */
    Outcome start(World w, Action.BackupStart a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (!n.isActive()) return rejected(QemuErrors.NODE_INACTIVE);
        if (w.migration().isActive()) return rejected(QemuErrors.BACKUP_DURING_MIGRATION);
        // blockdev.c do_backup_common: incremental is bitmap with bitmap-mode on-success.
        if (a.sync() == Action.Sync.INCREMENTAL && a.mode() != Action.BitmapMode.ON_SUCCESS) {
            return rejected(QemuErrors.bitmapModeMustBeOnSuccess(a.sync()));
        }
        Option<Bitmap> found = n.bitmap(a.bitmap());
        if (found.isEmpty()) return rejected(QemuErrors.backupBitmapNotFound(a.bitmap()));
        // do_backup_common: bdrv_dirty_bitmap_check(bmap, BDRV_BITMAP_ALLOW_RO): busy, then inconsistent.
        Option<String> unusable = Transitions.check(n, a.bitmap(), false, true);
        if (unusable.isDefined()) return rejected(unusable.get());
        // backup_job_create: bdrv_op_is_blocked(bs, BLOCK_OP_TYPE_BACKUP_SOURCE) while another job holds the node.
        if (n.mirror().isDefined()) return rejected(QemuErrors.NODE_BUSY_WITH_JOB);
        if (n.backup().isDefined()) return rejected(QemuErrors.nodeBusyWithJob(BackupJob.JOB_ID));
        // backup_job_create: a bitmap the job will write to must pass BDRV_BITMAP_DEFAULT (not readonly).
        if (a.mode() != Action.BitmapMode.NEVER && found.get().readonly()) {
            return rejected(QemuErrors.readonly(a.bitmap()));
        }

        Bitmap b = found.get();
        Lineage l = w.ghost().lineage(b.lineage());
        int since = w.ghost().nextId();
        // block/backup.c backup_init_bcs_bitmap (sync=bitmap): the job copies what the bitmap holds at the start.
        BackupJob job = new BackupJob(a.bitmap(), a.sync(), a.mode(),
                Granules.clusters(b.granules(), b.granularity(), geometry), l.origins(), since);
        // bdrv_dirty_bitmap_create_successor: the successor records iff the bitmap did; the bitmap is disabled and busy.
        Bitmap frozen = b.withBusy(true).withEnabled(false).withSuccessor(Option.some(
                new Successor(b.enabled(), Granules.NONE)));
        return next(w.withNode(a.node(), n.withBitmap(a.bitmap(), frozen).withBackup(Option.some(job)))
                .withGhost(w.ghost().with(since, Lineage.fresh(l.persistent(), l.recording(), l.family()))));
    }

    /**
     * block/backup.c backup_loop: the job copies the next cluster still to copy; with none left backup_run returns 0
     * and the job completes (backup_commit).
     */
    Outcome copy(World w, Action.BackupCopy a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (n.backup().isEmpty()) return rejected(QemuErrors.jobNotFound(BackupJob.JOB_ID));

        BackupJob job = n.backup().get();
        if (job.toCopy().isEmpty()) return next(ended(w, a.node(), true));
        return next(w.withNode(a.node(), n.withBackup(Option.some(job.withToCopy(job.toCopy().tail())))));
    }

    /** A write to the backup target fails (on-target-error=report): backup_run returns the error; backup_abort. */
    Outcome fail(World w, Action.BackupFail a) {
        return abort(w, a.node());
    }

    /** blockdev.c qmp_block_job_cancel: job_user_cancel; the job ends with -ECANCELED (backup_abort). */
    Outcome cancel(World w, Action.BackupCancel a) {
        return abort(w, a.node());
    }

    private Outcome abort(World w, NodeId node) {
        Node n = w.node(node);
        if (!n.isOn()) return rejected(QemuErrors.notRunning(node));
        if (n.backup().isEmpty()) return rejected(QemuErrors.jobNotFound(BackupJob.JOB_ID));

        return next(ended(w, node, false));
    }

    /** softmmu/runstate.c qemu_cleanup: job_cancel_sync_all before bdrv_close_all, so quit cancels a running job. */
    World cancelledByQuit(World w, NodeId node) {
        return w.node(node).backup().isDefined() ? ended(w, node, false) : w;
    }

    /**
     * block/copy-before-write.c cbw_do_copy_before_write: before a write reaches the image, the job copies the old data
     * of every written cluster it has not copied yet, so those clusters leave its block-copy bitmap.
     */
    static World copiedBeforeWrite(World w, SortedSet<Integer> clusters) {
        World next = w;
        for (NodeId id : NodeId.values()) {
            Node n = next.node(id);
            for (BackupJob job : n.backup()) {
                next = next.withNode(id, n.withBackup(Option.some(job.withToCopy(job.toCopy().removeAll(clusters)))));
            }
        }
        return next;
    }

    /**
     * block/backup.c backup_cleanup_sync_bitmap: abdicate (block/dirty-bitmap.c bdrv_dirty_bitmap_abdicate: the
     * successor takes the name and persistent, the old bits are released) when the job succeeded or the mode is
     * always, unless it is never; otherwise reclaim (bdrv_reclaim_dirty_bitmap: the successor's bits merge back). A
     * failed job with mode always then merges in the clusters it did not copy.
     */
    private World ended(World w, NodeId node, boolean succeeded) {
        Node n = w.node(node);
        BackupJob job = n.backup().get();
        Bitmap b = n.bitmap(job.bitmap()).get();
        Node done = n.withBackup(Option.none());
        if (!job.abdicates(succeeded)) {
            return w.withNode(node, done.withBitmap(job.bitmap(), b.reclaimed()));
        }
        Successor s = b.successor().get();
        SortedSet<Integer> bits = s.granules();
        if (!succeeded) {
            bits = bits.addAll(Granules.coveringClusters(job.toCopy(), b.granularity()));
        }
        Bitmap heir = Bitmap.added(b.granularity(), job.since()).withPersistent(b.persistent()).withEnabled(s.enabled())
                .withGranules(bits);
        // Ghost: the heir's truth is what changed since the start, plus what of the start's truth was never copied.
        SortedSet<Integer> copied = Granules.clusters(b.granules(), b.granularity(), geometry).removeAll(job.toCopy());
        Lineage since = w.ghost().lineage(job.since());
        SortedMap<Integer, Origin> truth = since.origins();
        for (var e : job.before()) {
            if (!copied.contains(e._1) && !truth.containsKey(e._1)) {
                truth = truth.put(e._1, e._2);
            }
        }
        Lineage heirTruth = new Lineage(since.persistent(), since.recording(), truth, since.family());
        return w.withNode(node, done.withBitmap(job.bitmap(), heir)).withGhost(w.ghost().with(job.since(), heirTruth));
    }
}
