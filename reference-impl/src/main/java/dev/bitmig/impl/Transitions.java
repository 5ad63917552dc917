package dev.bitmig.impl;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.node.MirrorJob;
import dev.bitmig.impl.policy.Qcow2Bitmaps;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.impl.store.StoredEntry;
import dev.bitmig.model.Action;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static dev.bitmig.impl.Rejection.reject;
import static dev.bitmig.impl.Rejection.rejectIf;

/**
 * The transition function: each model action applied to the implementation. Every rule reads guard first (a guard
 * rejects with QEMU's text and changes nothing), then effect. Processes and activation are {@link Lifecycle}'s,
 * migrations and their stream {@link MigrationFlow}'s.
 */
final class Transitions implements Action.Visitor<Void> {
    private final ImplSystem sys;
    private final Geometry geometry;
    private final Disk disk;
    private final ImageStore image;
    private final MigrationState migration;
    private final Lifecycle life;
    private final MigrationFlow flow;
    private final Backups backups;
    private final OfflineTools offline;
    private final ImageWrites writes;

    Transitions(ImplSystem sys) {
        this.sys = sys;
        this.geometry = sys.geometry();
        this.disk = sys.disk();
        this.image = sys.image();
        this.migration = sys.migration();
        this.life = new Lifecycle(sys);
        this.flow = new MigrationFlow(sys, life);
        this.backups = new Backups(sys);
        this.offline = new OfflineTools(sys);
        this.writes = new ImageWrites(sys);
    }

    private BlockNode node(NodeId id) {
        return sys.node(id);
    }

    /** The node of a running process; a QMP command to a process that is not there is refused. */
    private BlockNode running(NodeId id) {
        BlockNode n = node(id);
        if (!n.isOn()) reject(QemuErrors.notRunning(id));
        return n;
    }

    // ------------------------------------------------------------------------------------------------ guest and image

    /** A guest write dirties every enabled bitmap and an active mirror's (bdrv_set_dirty, block/dirty-bitmap.c; block/mirror.c). */
    @Override
    public Void visit(Action.GuestWrite a) {
        BlockNode n = running(a.node());
        if (!geometry.inBounds(a.first(), a.count())) reject(QemuErrors.WRITE_OUT_OF_RANGE);
        if (n.block() == BlockState.EJECTED) reject(QemuErrors.NO_MEDIUM_WRITE);
        if (!n.isActive() && !n.readOnly() && sys.policy().release().abortsOnInactiveWrite()) {
            // QEMU 10.0 block/io.c bdrv_co_write_req_prepare asserts that the node is active: the process aborts.
            flow.abandon(a.node());
            life.gone(a.node());
            Failure.fail(QemuErrors.INACTIVE_WRITE_ABORT);
        }
        if (!n.isActive() || n.readOnly()) reject(QemuErrors.NODE_READ_ONLY);
        if (n.anyReadonly()) reject(QemuErrors.WRITE_NOT_PERMITTED);
        if (image.full() && (n.mirror() != null || n.backup() != null)) reject(QemuErrors.JOB_WRITE_ON_FULL_VOLUME);

        if (image.full()) writes.failedOnFullVolume(n, a.first(), a.count());
        Backups.copyBeforeWrite(n, a.first() * Disk.CLUSTER, a.count() * Disk.CLUSTER);
        n.markDirty(a.first() * Disk.CLUSTER, a.count() * Disk.CLUSTER);
        if (n.mirror() != null) {
            n.mirror().activeWrite(a.first() * Disk.CLUSTER, a.count() * Disk.CLUSTER,
                    sys.has(Fault.HBITMAP_RESET_ROUNDS_OUTWARD));
        }
        image.writeData(a.node(), a.first(), a.count());
        return null;
    }

    /**
     * Another program writes the image while no QEMU holds it: a bitmap-aware writer marks the auto entries, any other
     * clears the bitmaps' autoclear bit (the qcow2 bitmaps extension, block/qcow2.c).
     */
    @Override
    public Void visit(Action.ForeignWrite a) {
        if (node(NodeId.SOURCE).holdsLocks() || node(NodeId.TARGET).holdsLocks()) reject(QemuErrors.WRITE_LOCK);
        if (!geometry.inBounds(a.first(), a.count())) reject(QemuErrors.WRITE_OUT_OF_RANGE);
        if (image.full()) reject(QemuErrors.TOOL_ON_FULL_VOLUME);

        if (a.writer() == Action.Writer.AWARE) {
            image.storeEntries(null, writes.markedByAwareWriter(a.first(), a.count()));
        } else {
            image.clearAutoclear(null);
        }
        image.writeData(null, a.first(), a.count());
        return null;
    }

    // ------------------------------------------------------------------------------------------------ run state and activation

    /** Inactivation stores the persistent bitmaps first (bdrv_inactivate_all, block.c); mid-migration it is the source's handover. */
    @Override
    public Void visit(Action.Inactivate a) {
        BlockNode n = running(a.node());
        if (a.node() == NodeId.SOURCE && migration.isActive() && !migration.handedOver) {
            if (!flow.failedHandover()) flow.handover();
            return null;
        }
        // blockdev-set-active (qapi/block-core.json) is new in QEMU 10.0; it inactivates a running VM's node too.
        if (!sys.policy().release().hasBlockdevSetActive()) reject(QemuErrors.NO_SET_ACTIVE);
        if (n.block() == BlockState.INACTIVE) return null;
        if (n.block() == BlockState.EJECTED) reject(QemuErrors.NO_MEDIUM_INACTIVATE);
        if (n.backup() != null) reject(QemuErrors.BACKUP_JOB_RUNNING);
        Optional<String> fails = life.inactivationFails(a.node());
        // A full volume: the failed store or flush leaves its update in the caches; the flush's -ENOSPC is the answer.
        if (fails.isPresent() && image.full()) {
            n.setUnflushed(true);
            Failure.fail(QemuErrors.INACTIVATE_NO_SPACE);
        }
        // QMP answers with qcow2_inactivate's -EINVAL (block.c bdrv_inactivate); the store's own error goes to stderr.
        rejectIf(fails.map(storeError -> QemuErrors.INACTIVATE_FAILED));

        life.inactivate(a.node());
        return null;
    }

    /** Activation reopens the image read-write and loads the persistent bitmaps (bdrv_activate, block.c). */
    @Override
    public Void visit(Action.Activate a) {
        BlockNode n = running(a.node());
        if (!sys.policy().release().hasBlockdevSetActive()) reject(QemuErrors.NO_SET_ACTIVE);
        if (n.run() == RunState.INMIGRATE) reject(QemuErrors.INCOMING_NODE);
        if (a.node() == NodeId.SOURCE && migration.isActive()) reject(QemuErrors.MIGRATION_IN_PROGRESS);
        if (n.block() != BlockState.INACTIVE) return null;
        rejectIf(life.activationRefused(a.node()));

        reactivate(a.node());
        return null;
    }

    /**
     * cont (qmp_cont, monitor/qmp-cmds.c): refused in finish-migrate; activates every inactive node (an incoming VM's
     * only on QEMU 7.2, which then just sets autostart), then runs the VM.
     */
    @Override
    public Void visit(Action.Cont a) {
        BlockNode n = running(a.node());
        if (a.node() == NodeId.SOURCE && migration.isActive() && migration.handedOver) {
            reject(QemuErrors.MIGRATION_NOT_FINALIZED);
        }
        boolean incoming = n.run() == RunState.INMIGRATE;
        boolean reopen = n.block() == BlockState.INACTIVE
                && (!incoming || sys.policy().release().contActivatesIncoming());
        if (reopen) rejectIf(life.activationRefused(a.node()));

        if (reopen) reactivate(a.node());
        if (incoming) {
            n.setAutostart(true);
        } else {
            node(a.node()).setRun(RunState.RUNNING);
        }
        return null;
    }

    /** The driver reopens; when that fails the node is ejected and QEMU reports the error (D4). */
    private void reactivate(NodeId id) {
        java.util.Optional<String> fails = life.reopenFails(id);
        if (fails.isPresent()) {
            life.eject(id);
            Failure.fail(fails.get());
        }
        life.activate(id);
    }

    /** stop pauses a running VM (qmp_stop, monitor/qmp-cmds.c). */
    @Override
    public Void visit(Action.Stop a) {
        BlockNode n = running(a.node());

        // On an incoming VM stop only clears autostart (qmp_stop).
        if (n.run() == RunState.INMIGRATE) n.setAutostart(false);
        if (n.run() == RunState.RUNNING) n.setRun(RunState.PAUSED);
        return null;
    }

    // ------------------------------------------------------------------------------------------------ migration

    /** migrate needs an active, not yet migrated source and a listening target (qmp_migrate, migration/migration.c). */
    @Override
    public Void visit(Action.MigrateStart a) {
        BlockNode source = node(NodeId.SOURCE);
        if (!source.isOn()) reject(QemuErrors.notRunning(NodeId.SOURCE));
        if (migration.isActive()) reject(QemuErrors.MIGRATION_IN_PROGRESS);
        if (source.run() == RunState.INMIGRATE) reject(QemuErrors.GUEST_INCOMING);
        if (source.run() == RunState.POSTMIGRATE) reject(QemuErrors.PAUSED_BY_MIGRATION);
        if (source.block() == BlockState.INACTIVE) reject(QemuErrors.NODE_INACTIVE);
        if (node(NodeId.TARGET).run() != RunState.INMIGRATE) reject(QemuErrors.CONNECTION_REFUSED);
        // No bitmap sent (no capability, or the no_bitmaps latch): the handover with a backup job is not modelled.
        if ((!a.capability() || source.noBitmaps()) && source.backup() != null) reject(QemuErrors.BACKUP_JOB_RUNNING);

        flow.start(a.capability());
        return null;
    }

    /** The migration completes: handover if not yet done, then the target takes over (migration/migration.c). */
    @Override
    public Void visit(Action.MigrateComplete a) {
        if (!migration.isActive()) reject(QemuErrors.NO_MIGRATION);
        if (!migration.handedOver && flow.failedHandover()) return null;

        flow.complete();
        return null;
    }

    /** migrate_cancel ends an active migration; otherwise it does nothing (migration/migration.c). */
    @Override
    public Void visit(Action.MigrateCancel a) {
        if (migration.isActive()) flow.cancel();
        return null;
    }

    /** The stream breaks, before or after the handover (migration/migration.c). */
    @Override
    public Void visit(Action.MigrateFail a) {
        if (!migration.isActive()) reject(QemuErrors.NO_MIGRATION);
        boolean after = a.when() == Action.FailPoint.AFTER_HANDOVER;
        if (!after && migration.handedOver) reject(QemuErrors.ALREADY_HANDED_OVER);
        if (after && !migration.handedOver && flow.failedHandover()) return null;

        flow.fail(after);
        return null;
    }

    // ------------------------------------------------------------------------------------------------ bitmap commands

    /** block-dirty-bitmap-add (block/monitor/bitmap-qmp-cmds.c). */
    @Override
    public Void visit(Action.BitmapAdd a) {
        BlockNode n = running(a.node());
        long bytes = (long) a.granularity() * Disk.CLUSTER;
        rejectIf(n.checkAdd(a.name(), bytes, a.persistent()));

        n.bitmaps().put(a.name(), new DirtyBitmap(bytes, disk.newBits(bytes), a.persistent(), !a.disabled()));
        return null;
    }

    /** block-dirty-bitmap-remove also drops a persistent bitmap's entry from the image (block/monitor/bitmap-qmp-cmds.c). */
    @Override
    public Void visit(Action.BitmapRemove a) {
        BlockNode n = running(a.node());
        DirtyBitmap b = n.bitmap(a.name());
        if (b == null) reject(QemuErrors.notFound(a.name()));
        if (b.busy()) reject(QemuErrors.busy(a.name()));
        if (b.readonly()) reject(QemuErrors.readonly(a.name()));

        boolean mayWrite = n.isWriter() || (sys.has(Fault.STORE_WRITES_WHILE_INACTIVE) && !n.readOnly());
        boolean stored = b.persistence() && mayWrite && image.loadDirectory().containsKey(a.name());
        if (stored && image.full()) {
            // qcow2_co_remove_persistent_dirty_bitmap: the new directory's clusters were allocated before the write failed.
            n.setUnflushed(n.unflushed() || image.loadDirectory().size() > 1);
            Failure.fail(QemuErrors.REMOVE_NO_SPACE);
        }
        if (stored) image.removeEntry(a.node(), a.name());
        n.bitmaps().remove(a.name());
        return null;
    }

    /** block-dirty-bitmap-clear (block/monitor/bitmap-qmp-cmds.c). */
    @Override
    public Void visit(Action.BitmapClear a) {
        BlockNode n = running(a.node());
        rejectIf(n.check(a.name(), true, true));

        n.bitmap(a.name()).clear();
        return null;
    }

    /** block-dirty-bitmap-enable (block/monitor/bitmap-qmp-cmds.c). */
    @Override
    public Void visit(Action.BitmapEnable a) {
        return toggle(a.node(), a.name(), true);
    }

    /** block-dirty-bitmap-disable (block/monitor/bitmap-qmp-cmds.c). */
    @Override
    public Void visit(Action.BitmapDisable a) {
        return toggle(a.node(), a.name(), false);
    }

    private Void toggle(NodeId id, String name, boolean enable) {
        BlockNode n = running(id);
        rejectIf(n.check(name, false, true));

        n.bitmap(name).setEnabled(enable);
        return null;
    }

    /** block-dirty-bitmap-merge ORs the sources into the target (bdrv_merge_dirty_bitmap, block/dirty-bitmap.c). */
    @Override
    public Void visit(Action.BitmapMerge a) {
        BlockNode n = running(a.node());
        rejectIf(n.check(a.target(), true, true));
        for (String s : a.sources()) {
            rejectIf(n.check(s, false, true));
        }

        DirtyBitmap t = n.bitmap(a.target());
        for (String s : a.sources()) {
            merge(t, n.bitmap(s).bits());
        }
        return null;
    }

    /** One source into the target (hbitmap_merge, util/hbitmap.c), or granule by granule under the seeded fault. */
    private void merge(DirtyBitmap t, HBitmap from) {
        if (sys.has(Fault.MERGE_IGNORES_GRANULARITY) && from.granularity() != t.bits().granularity()) {
            long gran = t.granularityBytes();
            for (long g : from.dirtyGranules()) {
                if (g * gran < t.bits().size()) {
                    t.bits().set(g * gran, Math.min(gran, t.bits().size() - g * gran));
                }
            }
        } else {
            t.bits().mergeFrom(from);
        }
    }

    // ------------------------------------------------------------------------------------------------ block jobs

    /** An incremental backup clears its bitmap when it succeeds (block/backup.c). */
    @Override
    public Void visit(Action.Backup a) {
        BlockNode n = running(a.node());
        if (!n.isActive()) reject(QemuErrors.NODE_INACTIVE);
        rejectIf(n.check(a.bitmap(), true, true));

        n.bitmap(a.bitmap()).clear();
        return null;
    }

    /** blockdev-mirror checks the granularity, then a full mirror starts with every granule to copy (blockdev.c; block/mirror.c). */
    @Override
    public Void visit(Action.MirrorStart a) {
        BlockNode n = running(a.node());
        if (n.backup() != null) reject(QemuErrors.NEED_ROOT_NODE);
        if (a.granularity() < 1 || a.granularity() > Mirror.MAX_GRANULARITY) reject(QemuErrors.MIRROR_GRANULARITY_RANGE);
        if (Integer.bitCount(a.granularity()) != 1) reject(QemuErrors.MIRROR_GRANULARITY_POWER);
        if (n.mirror() != null) reject(QemuErrors.NODE_BUSY_WITH_JOB);
        if (!n.isActive()) reject(QemuErrors.NODE_INACTIVE);

        long gran = a.granularity() * Disk.CLUSTER;
        n.setMirror(MirrorJob.full(gran, disk.newBits(gran)));
        return null;
    }

    /** One mirror iteration copies the next dirty granule (mirror_iteration, block/mirror.c). */
    @Override
    public Void visit(Action.MirrorCopy a) {
        BlockNode n = running(a.node());
        if (n.mirror() == null) reject(QemuErrors.jobNotFound(Mirror.JOB_ID));

        n.mirror().copyNext();
        return null;
    }

    /** block-job-cancel ends the mirror job (blockdev.c). */
    @Override
    public Void visit(Action.MirrorCancel a) {
        BlockNode n = running(a.node());
        if (n.mirror() == null) reject(QemuErrors.jobNotFound(Mirror.JOB_ID));

        n.setMirror(null);
        return null;
    }

    /** blockdev-backup with a bitmap: guards, then the successor (Backups). */
    @Override
    public Void visit(Action.BackupStart a) {
        backups.start(running(a.node()), a);
        return null;
    }

    /** One step of the backup job; the last completes it. */
    @Override
    public Void visit(Action.BackupCopy a) {
        backups.copy(running(a.node()));
        return null;
    }

    /** The backup target fails a write: the job aborts. */
    @Override
    public Void visit(Action.BackupFail a) {
        backups.abort(running(a.node()));
        return null;
    }

    /** block-job-cancel backup: the job aborts. */
    @Override
    public Void visit(Action.BackupCancel a) {
        backups.abort(running(a.node()));
        return null;
    }

    // ------------------------------------------------------------------------------------------------ processes

    /** quit ends a running migration, stores the persistent bitmaps on close, and exits (qemu_cleanup, system/runstate.c). */
    @Override
    public Void visit(Action.Quit a) {
        running(a.node());

        backups.cancelForQuit(a.node());
        // qemu_cleanup: an incoming VM closes its node before its source sees the stream end; a source cancels first.
        if (a.node() == NodeId.TARGET) {
            life.quit(a.node());
            flow.abandon(a.node());
            return null;
        }
        flow.abandon(a.node());
        life.quit(a.node());
        return null;
    }

    /** The process is killed: nothing is stored, the lock goes with it. */
    @Override
    public Void visit(Action.Crash a) {
        running(a.node());

        flow.abandon(a.node());
        life.gone(a.node());
        return null;
    }

    /** A QEMU process starts, incoming (migration/migration.c) or opening the image under its lock (block/file-posix.c). */
    @Override
    public Void visit(Action.Launch a) {
        if (node(a.node()).isOn()) reject(QemuErrors.alreadyRunning(a.node()));
        if (!a.incoming()) rejectIf(Lifecycle.lockConflict(a.readOnly(), node(a.node().other())));
        // qcow2_do_open on a full volume: the IN_USE update or the header rewrite of a read-write open is refused.
        if (!a.incoming()) rejectIf(Qcow2Bitmaps.loadConflict(sys, !a.readOnly(), List.of(), image.autoclear(), image.loadDirectory()));

        life.launch(a.node(), a.incoming(), a.readOnly());
        return null;
    }

    // ------------------------------------------------------------------------------------------------ qemu-img

    /** qemu-img bitmap (qemu-img.c img_bitmap) on the image store ({@link OfflineTools}). */
    @Override
    public Void visit(Action.ImgBitmap a) {
        offline.bitmap(a);
        return null;
    }

    /** qemu-img check -r all (qemu-img.c img_check; block/qcow2.c qcow2_co_check_locked). */
    @Override
    public Void visit(Action.ImgCheck a) {
        offline.check();
        return null;
    }

    /** qemu-img convert --bitmaps and the rename of the copy (qemu-img.c img_convert; {@link OfflineTools}). */
    @Override
    public Void visit(Action.ImgConvert a) {
        offline.convert(a);
        return null;
    }

    // ------------------------------------------------------------------------------------------------ fate

    /** The volume under the image fills up or has space again; with space, the next flush writes what the caches held. */
    @Override
    public Void visit(Action.VolumeFull a) {
        if (image.full() == a.full()) return null;

        image.setFull(a.full());
        node(NodeId.SOURCE).setUnflushed(false);
        node(NodeId.TARGET).setUnflushed(false);
        return null;
    }
}
