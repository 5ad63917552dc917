package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;

import static dev.bitmig.model.Outcome.next;
import static dev.bitmig.model.Outcome.rejected;
import static dev.bitmig.model.BitmapRules.check;

/**
 * The rules of the block jobs, mirror and backup, in the same shape as {@link Transitions}': guards first, then the
 * effect, each rule citing QEMU. {@link Transitions}' rules extend this class, so that both read as one visitor; it
 * extends {@link BitmapRules}, the QMP bitmap commands'.
 */
abstract class JobRules extends BitmapRules {
    private final World w;
    private final Geometry geometry;
    private final Backups backups;

    JobRules(World w, Geometry geometry, Backups backups) {
        super(w, geometry);
        this.w = w;
        this.geometry = geometry;
        this.backups = backups;
    }

    // ---------------------------------------------------------------- mirror job

    /**
     * blockdev.c blockdev_mirror_common: the granularity is checked (range, then power of 2) and a node that a job
     * holds is busy; block/mirror.c mirror_dirty_init (sync=full): every granule starts to copy.
     */
    @Override
    public Outcome visit(Action.MirrorStart a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        // blockdev.c qmp_get_root_bs: a backup job's copy-before-write filter sits above the node.
        if (n.backup().isDefined()) return rejected(QemuErrors.NEED_ROOT_NODE);
        if (a.granularity() < 1 || a.granularity() > Mirror.MAX_GRANULARITY) {
            return rejected(QemuErrors.MIRROR_GRANULARITY_RANGE);
        }
        if (!Granules.isPowerOfTwo(a.granularity())) return rejected(QemuErrors.MIRROR_GRANULARITY_POWER);
        if (n.mirror().isDefined()) return rejected(QemuErrors.NODE_BUSY_WITH_JOB);
        if (!n.isActive()) return rejected(QemuErrors.NODE_INACTIVE);

        int id = w.ghost().nextId();
        Mirror job = new Mirror(a.granularity(), Granules.all(a.granularity(), geometry), id);
        Lineage stale = Lineage.fresh(false, true, id)
                .written(TreeSet.range(0, geometry.clusters()), Origin.of(w, Origin.Author.MIRROR_START));
        return next(w.withNode(a.node(), n.withMirror(Option.some(job))).withGhost(w.ghost().with(id, stale)));
    }

    /**
     * block/mirror.c mirror_iteration: the job takes the next dirty granule, resets it and copies it; the copy
     * reads the image as it is now, so those clusters are no longer stale. A clean job has nothing to do.
     */
    @Override
    public Outcome visit(Action.MirrorCopy a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (n.mirror().isEmpty()) return rejected(QemuErrors.jobNotFound(Mirror.JOB_ID));
        Mirror job = n.mirror().get();
        if (job.granules().isEmpty()) return next(w);

        int granule = job.granules().head();
        SortedSet<Integer> copied = Granules.clusters(TreeSet.of(granule), job.granularity(), geometry);
        return next(w.withNode(a.node(), n.withMirror(Option.some(job.withGranules(job.granules().remove(granule)))))
                .withGhost(w.ghost().update(job.lineage(), l -> l.synced(copied))));
    }

    /** blockdev.c qmp_block_job_cancel -> find_block_job; the job's dirty bitmap is released with it. */
    @Override
    public Outcome visit(Action.MirrorCancel a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (n.mirror().isEmpty()) return rejected(QemuErrors.jobNotFound(Mirror.JOB_ID));

        return next(w.withNode(a.node(), n.withMirror(Option.none())));
    }

    // ---------------------------------------------------------------- backup job (effects in Backups)

    /**
     * blockdev.c do_backup_common, then block/backup.c backup_job_create: sync and bitmap-mode are checked, the
     * bitmap must exist and pass BDRV_BITMAP_ALLOW_RO, no other job may hold the node, and unless the mode is never
     * the bitmap must be writable (BDRV_BITMAP_DEFAULT); bdrv_dirty_bitmap_create_successor then freezes it.
     */
    @Override
    public Outcome visit(Action.BackupStart a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (!n.isActive()) return rejected(QemuErrors.NODE_INACTIVE);
        if (w.migration().isActive()) return rejected(QemuErrors.BACKUP_DURING_MIGRATION);
        // blockdev.c do_backup_common: incremental is bitmap with bitmap-mode on-success.
        if (a.sync() == Action.Sync.INCREMENTAL && a.mode() != Action.BitmapMode.ON_SUCCESS) {
            return rejected(QemuErrors.bitmapModeMustBeOnSuccess(a.sync().qapi()));
        }
        // blockdev.c do_backup_common: bdrv_find_dirty_bitmap.
        if (n.bitmap(a.bitmap()).isEmpty()) return rejected(QemuErrors.backupBitmapNotFound(a.bitmap()));
        // do_backup_common: bdrv_dirty_bitmap_check(bmap, BDRV_BITMAP_ALLOW_RO): busy, then inconsistent.
        Option<String> unusable = check(n, a.bitmap(), false, true);
        if (unusable.isDefined()) return rejected(unusable.get());
        // backup_job_create: bdrv_op_is_blocked(bs, BLOCK_OP_TYPE_BACKUP_SOURCE): a mirror job blocks its source.
        if (n.mirror().isDefined()) return rejected(QemuErrors.NODE_BUSY_WITH_JOB);
        // backup_job_create: bdrv_op_is_blocked(target, BLOCK_OP_TYPE_BACKUP_TARGET): the one target is in use.
        if (n.backup().isDefined()) return rejected(QemuErrors.BACKUP_TARGET_BUSY);
        // backup_job_create: a bitmap the job will write to must pass BDRV_BITMAP_DEFAULT (not readonly).
        if (a.mode() != Action.BitmapMode.NEVER && n.bitmap(a.bitmap()).get().readonly()) {
            return rejected(QemuErrors.readonly(a.bitmap()));
        }
        // blockdev.c bds_tree_init: the job's target, added while the VM is incoming, opens inactive (bdrv_cbw_append).
        if (n.run() == RunState.INMIGRATE) return rejected(QemuErrors.BACKUP_TARGET_INACTIVE);

        return next(backups.started(w, a));
    }

    /**
     * block/backup.c backup_loop: the job copies the next cluster still to copy; with none left backup_run returns
     * 0 and the job completes (backup_commit -> backup_cleanup_sync_bitmap).
     */
    @Override
    public Outcome visit(Action.BackupCopy a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (n.backup().isEmpty()) return rejected(QemuErrors.jobNotFound(BackupJob.JOB_ID));

        return next(backups.copied(w, a.node()));
    }

    /** A write to the backup target fails (on-target-error=report): backup_run returns it; backup_abort. */
    @Override
    public Outcome visit(Action.BackupFail a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (n.backup().isEmpty()) return rejected(QemuErrors.jobNotFound(BackupJob.JOB_ID));

        return next(backups.ended(w, a.node(), false));
    }

    /** blockdev.c qmp_block_job_cancel -> job_user_cancel: the job ends with -ECANCELED (backup_abort). */
    @Override
    public Outcome visit(Action.BackupCancel a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (n.backup().isEmpty()) return rejected(QemuErrors.jobNotFound(BackupJob.JOB_ID));

        return next(backups.ended(w, a.node(), false));
    }
}
