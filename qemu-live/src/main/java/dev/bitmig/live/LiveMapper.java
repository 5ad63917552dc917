package dev.bitmig.live;

import dev.bitmig.live.LiveSystem.Mig;
import dev.bitmig.live.LiveSystem.Unmappable;
import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.QemuErrors;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bitmig.qemu.BackupJobIds;
import dev.bitmig.qemu.MigrationOps;
import dev.bitmig.qemu.Op;
import dev.bitmig.qemu.QemuTable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.bitmig.live.LiveSystem.ops;

/**
 * The live runner's side of each action: the guards, waits and migration bookkeeping QEMU needs around the
 * operations of the table ({@link LiveSystem#ops}), which it never spells itself. See {@code MAPPING.md}.
 */
final class LiveMapper implements Action.Visitor<Outcome> {
    private final LiveSystem sys;

    LiveMapper(LiveSystem sys) {
        this.sys = sys;
    }

    private static Outcome ok() {
        return Outcome.next(null);
    }

    private Outcome requireOn(NodeId n) {
        if (!sys.alive(n)) {
            return Outcome.rejected(QemuErrors.notRunning(n));
        }
        if (sys.frozen(n)) {
            throw new Unmappable("the target is held stopped (SIGSTOP) between handover and completion; "
                    + "it cannot answer QMP without completing the migration");
        }
        return null;
    }

    /** A step of one QEMU: refused as the model refuses it when that QEMU is not running, otherwise the table's. */
    private Outcome on(NodeId n, Action a) {
        Outcome off = requireOn(n);
        if (off != null) return off;
        ops(a).forEach(sys::run);
        return ok();
    }

    @Override
    public Outcome visit(Action.GuestWrite a) {
        Outcome off = requireOn(a.node());
        if (off != null) return off;
        Op write = ops(a).get(0);
        if (LiveBackupJobs.job(sys.proc(a.node())) != null && sys.volume().full()) {
            // The model leaves a failing write under a block job out (its copy-before-write would fail too).
            return Outcome.rejected(QemuErrors.JOB_WRITE_ON_FULL_VOLUME);
        }
        if (LiveBackupJobs.job(sys.proc(a.node())) != null) {
            // A backup job's copy-before-write filter does not share write on drive0: the guest writes through it.
            write = new Op.QemuIo(a.node(), BackupJobIds.FILTER, ((Op.QemuIo) write).command());
        }
        String out;
        try {
            out = sys.run(write).output();
        } catch (QemuGoneException e) {
            // QEMU 10.0 aborts on a write to an inactive node (block/io.c bdrv_co_write_req_prepare).
            sys.waitExit(a.node(), 5000);
            String log = sys.proc(a.node()).log();
            sys.afterGone(a.node());
            java.util.regex.Matcher m = ASSERTION.matcher(log);
            return Outcome.failed(null, m.find() ? m.group(1) : "QEMU exited: " + e.getMessage());
        }
        if (out.contains("wrote ")) return ok();
        // block/io.c bdrv_co_write_req_finish marks the bitmaps even when the write fails: a failure, not a refusal.
        String err = LiveSystem.firstErrorLine(out);
        return err.contains(QemuErrors.NO_SPACE) ? Outcome.failed(null, err) : Outcome.rejected(err);
    }

    /** The failed assertion QEMU prints before it aborts: "FUNCTION: Assertion `...' failed." */
    static final java.util.regex.Pattern ASSERTION =
            java.util.regex.Pattern.compile("(\\w+: Assertion `.*' failed\\.)");

    @Override
    public Outcome visit(Action.ForeignWrite a) {
        Outcome full = sys.volume().refuseTool(sys);
        if (full != null) return full;
        boolean aware = a.writer() == Action.Writer.AWARE;
        for (Op op : ops(a)) {
            Tools.Result r = sys.run(op);
            if (aware && (r.exitCode() != 0 || QemuProcess.qemuIoFailed(r.output()))) {
                return Outcome.rejected(LiveSystem.firstErrorLine(r.output()));
            }
            // A bitmap-unaware tool that honours image locking: the harness refuses on its behalf when the lock
            // probe fails, otherwise clears autoclear bit 0 (its data write would not change any bitmap).
            if (!aware && r.exitCode() != 0) {
                return Outcome.rejected(QemuErrors.WRITE_LOCK);
            }
        }
        return ok();
    }

    @Override
    public Outcome visit(Action.Inactivate a) {
        Outcome off = requireOn(a.node());
        if (off != null) return off;
        if (a.node() == NodeId.SOURCE && sys.mig == Mig.PRE_SWITCHOVER) {
            sys.handover();
            return ok();
        }
        // blockdev-set-active (QEMU 10.0); QEMU 7.2 answers that the command has not been found.
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.Activate a) {
        Outcome off = requireOn(a.node());
        if (off != null) return off;
        if (sys.release().hasBlockdevSetActive()) {
            // The model refuses these with bitmig's own words; QEMU 10.0 would activate the node.
            if (sys.proc(a.node()).runState().equals("inmigrate")) {
                throw new Unmappable("blockdev-set-active on an incoming node: bitmig refuses it, QEMU 10.0 does not");
            }
            if (a.node() == NodeId.SOURCE && sys.mig != Mig.NONE) {
                throw new Unmappable("blockdev-set-active on a migrating source: bitmig refuses it, QEMU 10.0 does not");
            }
        }
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.Cont a) {
        if (a.node() == NodeId.TARGET && sys.frozen(NodeId.TARGET)) {
            if (sys.release().contActivatesIncoming()) {
                throw new Unmappable("cont on the held incoming target: QEMU 7.2 would activate it, and it cannot answer");
            }
            if (!sys.targetAutostarts()) {
                throw new Unmappable("cont on the held incoming target after stop cleared its autostart");
            }
            sys.note("# cont on the held incoming target: a no-op for an incoming VM (autostart is already on)");
            return ok();
        }
        Outcome off = requireOn(a.node());
        if (off != null) return off;
        if (a.node() == NodeId.SOURCE && sys.mig == Mig.PRE_SWITCHOVER) {
            sys.note("# cont on the source in pre-switchover: the model's source still runs; not sent");
            return ok();
        }
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.Stop a) {
        if (a.node() == NodeId.TARGET && sys.frozen(NodeId.TARGET)) {
            throw new Unmappable("stop on the held incoming target");
        }
        Outcome off = requireOn(a.node());
        if (off != null) return off;
        if (a.node() == NodeId.SOURCE && sys.mig != Mig.NONE) {
            throw new Unmappable("stop on the source while QEMU's migration holds it in finish-migrate");
        }
        if (a.node() == NodeId.TARGET && sys.proc(NodeId.TARGET).runState().equals("inmigrate")) {
            sys.targetAutostarts(false); // qmp_stop on an incoming VM clears autostart
        }
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.MigrateStart a) {
        Outcome off = requireOn(NodeId.SOURCE);
        if (off != null) return off;
        if (!a.capability() && sys.mig == Mig.NONE && sys.alive(NodeId.TARGET)
                && LiveBackupJobs.job(sys.proc(NodeId.SOURCE)) != null) {
            // The model leaves this out (QEMU 7.2 would assert at the handover); the harness answers with its text.
            return Outcome.rejected(QemuErrors.BACKUP_JOB_RUNNING);
        }
        if (sys.mig != Mig.NONE) {
            // QEMU answers this itself; keep the harness state.
            sys.run(MigrationOps.migrate());
            return ok();
        }
        // The capabilities go to the target only if it runs; the bitmaps are listed just before migrate.
        List<String> names = new ArrayList<>();
        String st = "";
        for (Op op : ops(a)) {
            if (op instanceof Op.Qmp q && q.command().equals("migrate") && a.capability()) {
                for (BitmapInfo b : sys.proc(NodeId.SOURCE).bitmaps(QemuLauncher.DRIVE_NODE)) {
                    if (!b.name().isEmpty()) names.add(b.name());
                }
            }
            if (sys.alive(NodeId.TARGET) || LiveSystem.aim(op) != NodeId.TARGET) {
                st = sys.run(op).output();
            }
        }
        if (!st.equals(MigrationOps.PRE_SWITCHOVER)) {
            if (st.equals("failed") && sys.volume().mayFailFlush(sys, NodeId.SOURCE)) {
                // migration/migration.c migration_completion: vm_stop_force_state flushes (bdrv_flush_all) before
                // pause-before-switchover pauses, so a flush that fails on a full volume fails QEMU's migration at the
                // point mapped to MigrateStart; the model's source runs on until the handover, where it fails. Other
                // failures there (a busy bitmap at setup) are the model's too.
                throw new Unmappable("on a full volume the source's flush at the VM stop failed the migration before "
                        + "pause-before-switchover (the model fails it at the handover)");
            }
            String err = sys.proc(NodeId.SOURCE).queryMigrate().path("error-desc").asText("");
            sys.awaitTargetExitIfFailed();
            if (err.contains("connect") || err.contains("No such file") || err.contains("refused")) {
                return Outcome.rejected(err);
            }
            return ok(); // accepted, failed in setup: the model's migration is FAILED too
        }
        sys.mig = Mig.PRE_SWITCHOVER;
        awaitTargetLists(names);
        if (!sys.waitExit(NodeId.TARGET, names.isEmpty() ? 0 : 200)) {
            // The incoming side failed (e.g. a name clash on destination): the source still waits in
            // pre-switchover; a management layer cancels it.
            sys.note("# the target exited during setup; cancel the paused source migration");
            sys.cancelAndWait();
            sys.mig = Mig.NONE;
        }
        return ok();
    }

    /** The target processes the START records asynchronously: wait until it lists them, or exits (clash). */
    private void awaitTargetLists(List<String> names) {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline && sys.alive(NodeId.TARGET) && !names.isEmpty()) {
            List<String> have;
            try {
                have = sys.proc(NodeId.TARGET).bitmaps(QemuLauncher.DRIVE_NODE).stream().map(BitmapInfo::name).toList();
            } catch (QemuGoneException e) {
                break;
            }
            if (have.containsAll(names)) break;
            QemuProcess.sleep(10);
        }
    }

    @Override
    public Outcome visit(Action.MigrateComplete a) {
        if (sys.mig == Mig.NONE) return Outcome.rejected(QemuErrors.NO_MIGRATION);
        for (Op op : ops(a)) {
            if (op instanceof Op.Qmp && sys.mig == Mig.HANDED_OVER) {
                sys.thaw(); // the source proceeded at the handover; the held target completes it
            } else if (!(op instanceof Op.Await w && w.node() == NodeId.TARGET)) {
                sys.run(op);
            } else if (sys.alive(NodeId.SOURCE) && sys.proc(NodeId.SOURCE).migrationStatus().equals("failed")) {
                sys.abandonTarget(); // the source failed at completion (LiveSystem.abandonTarget)
            } else if (sys.alive(NodeId.TARGET)) {
                try {
                    sys.run(op);
                } catch (QemuGoneException e) {
                    // the target failed and exited
                }
            }
        }
        sys.mig = Mig.NONE;
        return ok();
    }

    @Override
    public Outcome visit(Action.MigrateCancel a) {
        if (!sys.alive(NodeId.SOURCE)) return Outcome.rejected(QemuErrors.notRunning(NodeId.SOURCE));
        if (sys.mig == Mig.NONE) {
            ops(a).forEach(sys::run);
            return ok();
        }
        sys.cancelAndWait();
        if (sys.mig == Mig.HANDED_OVER) {
            // The held target has the whole stream in its socket buffer; the model's incoming QEMU exits on a
            // broken stream, so the harness kills it.
            sys.killTarget();
            sys.awaitSourceActivation();
        } else {
            sys.waitExit(NodeId.TARGET, 5000);
        }
        sys.mig = Mig.NONE;
        return ok();
    }

    @Override
    public Outcome visit(Action.MigrateFail a) {
        if (sys.mig == Mig.NONE) return Outcome.rejected(QemuErrors.NO_MIGRATION);
        boolean before = a.when() == Action.FailPoint.BEFORE_HANDOVER;
        if (before && sys.mig == Mig.HANDED_OVER) return Outcome.rejected(QemuErrors.ALREADY_HANDED_OVER);
        if (!before && sys.mig == Mig.PRE_SWITCHOVER && !sys.handover()) {
            return ok(); // the handover's inactivation failed, and so did the migration
        }
        // Before: the stream breaks, the target dies, the paused source is cancelled. After: the held target dies.
        sys.runOnRunning(ops(a));
        if (!before) sys.awaitSourceActivation();
        sys.mig = Mig.NONE;
        return ok();
    }

    @Override
    public Outcome visit(Action.BitmapAdd a) {
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.BitmapRemove a) {
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.BitmapClear a) {
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.BitmapEnable a) {
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.BitmapDisable a) {
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.BitmapMerge a) {
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.Quit a) {
        if (!sys.alive(a.node())) return Outcome.rejected(QemuErrors.notRunning(a.node()));
        if (sys.frozen(a.node())) {
            throw new Unmappable("quit on the held incoming target");
        }
        ops(a).forEach(sys::run);
        sys.afterGone(a.node());
        return ok();
    }

    @Override
    public Outcome visit(Action.Crash a) {
        if (!sys.alive(a.node())) return Outcome.rejected(QemuErrors.notRunning(a.node()));
        ops(a).forEach(sys::run);
        sys.afterGone(a.node());
        return ok();
    }

    @Override
    public Outcome visit(Action.Launch a) {
        if (sys.alive(a.node())) return Outcome.rejected(QemuErrors.alreadyRunning(a.node()));
        if (a.node() == NodeId.TARGET) sys.targetAutostarts(true); // a new process, without -S
        try {
            ops(a).forEach(sys::run);
            return ok();
        } catch (QemuGoneException e) {
            return Outcome.rejected(LiveSystem.launchError(e.getMessage()));
        }
    }

    @Override
    public Outcome visit(Action.Backup a) {
        return on(a.node(), a);
    }

    @Override
    public Outcome visit(Action.MirrorStart a) {
        return unmappable(a);
    }

    @Override
    public Outcome visit(Action.MirrorCopy a) {
        return unmappable(a);
    }

    @Override
    public Outcome visit(Action.MirrorCancel a) {
        return unmappable(a);
    }

    /**
     * blockdev-backup, to the null-co target added once per QEMU; then wait until QEMU has copied the first cluster,
     * which the model's first BackupCopy stands for.
     */
    @Override
    public Outcome visit(Action.BackupStart a) {
        Outcome off = requireOn(a.node());
        if (off != null) return off;
        QemuProcess p = sys.proc(a.node());
        if (!sys.backupJobs().targetAdded(a.node(), p)) {
            sys.run(QemuTable.backupTarget(a.node(), sys.geometry().clusters()));
            sys.backupJobs().markTarget(a.node(), p);
        }
        ops(a).forEach(sys::run);
        JsonNode job = LiveBackupJobs.settled(p);
        if (job != null && job.path("len").asLong() > 0) {
            sys.backupJobs().markAhead(a.node(), p);
        }
        return ok();
    }

    /**
     * The model's first copy is the cluster QEMU copied on its own at the start; the copy of the last cluster lifts the
     * speed limit; a copy with nothing left ends the job (job-finalize). A copy with more than one cluster left has no
     * counterpart: QEMU's rate limit cannot let exactly one more chunk through.
     */
    @Override
    public Outcome visit(Action.BackupCopy a) {
        Outcome off = requireOn(a.node());
        if (off != null) return off;
        QemuProcess p = sys.proc(a.node());
        JsonNode job = LiveBackupJobs.job(p);
        if (job == null) return Outcome.rejected(QemuErrors.jobNotFound(BackupJobIds.JOB));
        if (sys.backupJobs().takeAhead(a.node(), p)) {
            sys.note("# QEMU copied this cluster on its own when the job started");
            return ok();
        }
        long remaining = LiveBackupJobs.remaining(job);
        if (job.path("status").asText().equals("pending") || remaining == 0) {
            LiveBackupJobs.await(p, java.util.Set.of("pending"));
            sys.run(Op.qmp(a.node(), "job-finalize", "id", BackupJobIds.JOB));
            LiveBackupJobs.await(p, java.util.Set.of());
            return ok();
        }
        if (remaining == dev.bitmig.model.Geometry.CLUSTER_BYTES) {
            sys.run(Op.qmp(a.node(), "block-job-set-speed", "device", BackupJobIds.JOB, "speed", 0L));
            LiveBackupJobs.await(p, java.util.Set.of("pending"));
            return ok();
        }
        throw new Unmappable("the backup job has " + remaining / dev.bitmig.model.Geometry.CLUSTER_BYTES
                + " clusters left: QEMU's rate limit cannot let exactly one more 64 KiB chunk through");
    }

    @Override
    public Outcome visit(Action.BackupFail a) {
        return unmappable(a);
    }

    /** block-job-cancel (forced), then wait until the job has gone. */
    @Override
    public Outcome visit(Action.BackupCancel a) {
        Outcome off = requireOn(a.node());
        if (off != null) return off;
        ops(a).forEach(sys::run);
        LiveBackupJobs.await(sys.proc(a.node()), java.util.Set.of());
        return ok();
    }

    /** The table has no operation for this action on QEMU 7.2: its entry throws, whatever runs. */
    private static Outcome unmappable(Action a) {
        throw new Unmappable(ops(a).stream().filter(o -> o instanceof Op.Unmappable).map(o -> ((Op.Unmappable) o).why())
                .findFirst().orElseThrow());
    }

    /** qemu-img bitmap on the shared image (QemuTable): refused when it exits non-zero, with qemu-img's error. */
    @Override
    public Outcome visit(Action.ImgBitmap a) {
        return LiveOfflineTools.qemuImg(sys, a);
    }

    /** qemu-img check -r all on the shared image: refused only when it cannot open it (the write lock). */
    @Override
    public Outcome visit(Action.ImgCheck a) {
        return LiveOfflineTools.qemuImg(sys, a);
    }

    /**
     * qemu-img convert --bitmaps and the rename of its copy over the image (QemuTable): while a QEMU runs, the harness
     * refuses it with the model's words (the rename would replace a file that QEMU has open); otherwise refused when
     * convert exits non-zero, with its error, and then the rename does not run.
     */
    @Override
    public Outcome visit(Action.ImgConvert a) {
        if (sys.alive(NodeId.SOURCE) || sys.alive(NodeId.TARGET)) return Outcome.rejected(QemuErrors.CONVERT_WHILE_OPEN);
        if (sys.volume().full()) return Outcome.rejected(QemuErrors.TOOL_ON_FULL_VOLUME);
        return LiveOfflineTools.qemuImg(sys, a);
    }

    /** Flush and switch every running QEMU's blkdebug layer (LiveVolume, MAPPING.md). */
    @Override
    public Outcome visit(Action.VolumeFull a) {
        return sys.volume().apply(sys, a);
    }
}
