package dev.bitmig.qemu;

import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.NodeId;

import java.util.ArrayList;
import java.util.List;

import static dev.bitmig.qemu.Flavour.LIVE;
import static dev.bitmig.qemu.Flavour.SCRIPT;

/**
 * Every model action as the QEMU operations it stands for: the one place that says which command, with which
 * arguments, an action is. A flavour's entry differs from the others only where the writers disagree, and then the
 * entry says so. The live runner keeps its own waits and refusals around these operations (see qemu-live/MAPPING.md).
 */
public final class QemuTable implements Action.Visitor<List<Op>> {
    /** The qcow2 node both QEMUs and iotests.VM open the image as (-blockdev ... node-name=drive0). */
    public static final String DRIVE = "drive0";

    private final Flavour f;

    private QemuTable(Flavour f) {
        this.f = f;
    }

    /** The operations of {@code a} for {@code f}. */
    public static List<Op> ops(Action a, Flavour f) {
        return a.accept(new QemuTable(f));
    }

    /** The fresh image both QEMUs share (qemu-img.c create), before anything runs. */
    public static Op.Tool createImage(int clusters) {
        return Op.tool("qemu-img", "create", "-f", "qcow2", Place.IMAGE, String.valueOf(bytes(clusters)));
    }

    static long bytes(int clusters) {
        return clusters * Geometry.CLUSTER_BYTES;
    }

    /** Disagreement: the live runner writes pattern 0xcd explicitly (qemu-io's own default for write). */
    @Override
    public List<Op> visit(Action.GuestWrite a) {
        return List.of(new Op.QemuIo(a.node(), DRIVE, "write " + (f == LIVE ? "-P 0xcd " : "") + bytes(a.first()) + " "
                + bytes(a.count())));
    }

    /**
     * Disagreement: the script clears the whole header byte 95 with a raw qemu-io write and then writes the
     * data with qemu-io; the live runner probes the lock (an unaware tool that honours locks), clears only bit 0 and
     * writes no data (it would change no bitmap), and writes pattern 0xee as the aware tool.
     */
    @Override
    public List<Op> visit(Action.ForeignWrite a) {
        String write = "write " + (f == LIVE ? "-P 0xee " : "") + bytes(a.first()) + " " + bytes(a.count());
        Op data = Op.tool("qemu-io", "-f", "qcow2", "-c", write, Place.IMAGE);
        if (a.writer() == Action.Writer.AWARE) {
            return f == SCRIPT ? List.of(new Op.Note("bitmap-aware standalone tool"), data) : List.of(data);
        }
        return switch (f) {
            case SCRIPT -> List.of(new Op.Note("bitmap-unaware writer: it clears autoclear bit 0 (header byte 95, "
                    + "assuming no other autoclear bits)"), Op.tool("qemu-io", "-f", "raw", "-c", "write -P 0 95 1", Place.IMAGE), data);
            case LIVE -> List.of(new Op.Tool(List.of("qemu-img", "info", Place.IMAGE), "lock probe for the unaware writer"),
                    new Op.ClearAutoclearBit0());
        };
    }

    /**
     * blockdev-set-active (qapi/block-core.json, QEMU 10.0; QEMU 7.2 answers CommandNotFound). The live runner
     * inactivates the source of a migration paused in pre-switchover by the handover instead.
     */
    @Override
    public List<Op> visit(Action.Inactivate a) {
        return List.of(Op.qmp(a.node(), "blockdev-set-active", "node-name", DRIVE, "active", false));
    }

    /** blockdev-set-active active=true (blockdev.c qmp_blockdev_set_active -> bdrv_activate). */
    @Override
    public List<Op> visit(Action.Activate a) {
        return List.of(Op.qmp(a.node(), "blockdev-set-active", "node-name", DRIVE, "active", true));
    }

    @Override
    public List<Op> visit(Action.Cont a) {
        return List.of(Op.qmp(a.node(), "cont"));
    }

    @Override
    public List<Op> visit(Action.Stop a) {
        return List.of(Op.qmp(a.node(), "stop"));
    }

    @Override
    public List<Op> visit(Action.MigrateStart a) {
        return MigrationOps.start(a.capability(), f);
    }

    @Override
    public List<Op> visit(Action.MigrateComplete a) {
        return MigrationOps.complete(f);
    }

    @Override
    public List<Op> visit(Action.MigrateCancel a) {
        return List.of(MigrationOps.cancel(f));
    }

    @Override
    public List<Op> visit(Action.MigrateFail a) {
        return MigrationOps.fail(a.when() == Action.FailPoint.BEFORE_HANDOVER, f);
    }

    @Override
    public List<Op> visit(Action.BitmapAdd a) {
        return List.of(Op.qmp(a.node(), "block-dirty-bitmap-add", "node", DRIVE, "name", a.name(), "granularity",
                bytes(a.granularity()), "persistent", a.persistent(), "disabled", a.disabled()));
    }

    @Override
    public List<Op> visit(Action.BitmapRemove a) {
        return bitmap(a.node(), "remove", a.name());
    }

    @Override
    public List<Op> visit(Action.BitmapClear a) {
        return bitmap(a.node(), "clear", a.name());
    }

    @Override
    public List<Op> visit(Action.BitmapEnable a) {
        return bitmap(a.node(), "enable", a.name());
    }

    @Override
    public List<Op> visit(Action.BitmapDisable a) {
        return bitmap(a.node(), "disable", a.name());
    }

    private static List<Op> bitmap(NodeId n, String op, String name) {
        return List.of(Op.qmp(n, "block-dirty-bitmap-" + op, "node", DRIVE, "name", name));
    }

    @Override
    public List<Op> visit(Action.BitmapMerge a) {
        return List.of(Op.qmp(a.node(), "block-dirty-bitmap-merge", "node", DRIVE, "target", a.target(), "bitmaps",
                a.sources().toJavaList()));
    }

    @Override
    public List<Op> visit(Action.Quit a) {
        return List.of(new Op.Quit(a.node()));
    }

    @Override
    public List<Op> visit(Action.Crash a) {
        return List.of(new Op.Kill(a.node(), true, switch (f) {
            case SCRIPT -> "kill -9: no clean close, no bitmap store";
            case LIVE -> "";
        }));
    }

    @Override
    public List<Op> visit(Action.Launch a) {
        return List.of(Launches.launch(a.node(), a.incoming(), a.readOnly(), f));
    }

    /**
     * drive-backup sync=incremental (qapi/block-core.json). Disagreement: the live runner has no backup target node and
     * approximates it by block-dirty-bitmap-clear after an imagined copy.
     */
    @Override
    public List<Op> visit(Action.Backup a) {
        if (f == LIVE) {
            return List.of(new Op.Note("Backup: an imagined copy of what the bitmap reports (no backup target exists), then clear"),
                    Op.qmp(a.node(), "block-dirty-bitmap-clear", "node", DRIVE, "name", a.bitmap()));
        }
        return List.of(Op.qmp(a.node(), "drive-backup", "device", DRIVE, "sync", "incremental", "bitmap", a.bitmap(),
                "target", Place.BACKUP_TARGET, "format", "qcow2"));
    }

    /** drive-mirror (qapi/block-core.json). Disagreement: the live runner cannot step a mirror job (block/mirror.c). */
    @Override
    public List<Op> visit(Action.MirrorStart a) {
        if (f == LIVE) {
            return List.of(new Op.Unmappable("the mirror job's progress cannot be driven step by step on a real QEMU, "
                    + "and its dirty bitmap is not visible over QMP"));
        }
        return List.of(Op.qmp(a.node(), "drive-mirror", "job-id", "mirror", "device", DRIVE, "target", Place.MIRROR_TARGET,
                "format", "qcow2", "sync", "full", "copy-mode", "write-blocking", "granularity", bytes(a.granularity())));
    }

    /** mirror_iteration in block/mirror.c: background work, no command. */
    @Override
    public List<Op> visit(Action.MirrorCopy a) {
        return List.of(f == LIVE ? new Op.Unmappable("a mirror iteration is QEMU's background work, not a command")
                : new Op.Note("the mirror job copies its next dirty granule (background work" + (f == SCRIPT ? ", no command)" : ")")));
    }

    @Override
    public List<Op> visit(Action.MirrorCancel a) {
        return List.of(f == LIVE ? new Op.Unmappable("no mirror job is ever started on the real QEMU")
                : Op.qmp(a.node(), "block-job-cancel", "device", "mirror"));
    }

    /**
     * A backup job that holds its bitmap (qapi/block-core.json blockdev-backup and drive-backup; blockdev.c
     * do_backup_common), held at speed 1 B/s with one worker and one 64 KiB chunk (x-perf) so that it copies one
     * cluster on its own and then waits, and with auto-finalize off so that its end is a command (job-finalize).
     * Disagreement: the live runner backs up to a null-co node added once per QEMU ({@link #backupTarget}), through a
     * named copy-before-write filter; the script lets drive-backup create a target file.
     */
    @Override
    public List<Op> visit(Action.BackupStart a) {
        if (f == LIVE) {
            return List.of(Op.qmp(a.node(), "blockdev-backup", "job-id", BackupJobIds.JOB, "device", DRIVE, "target",
                    BackupJobIds.TARGET, "sync", a.sync().qapi(), "bitmap", a.bitmap(), "bitmap-mode", a.mode().qapi(),
                    "speed", 1L, "x-perf", perf(), "auto-finalize", false, "filter-node-name", BackupJobIds.FILTER));
        }
        return List.of(Op.qmp(a.node(), "drive-backup", "job-id", BackupJobIds.JOB, "device", DRIVE, "sync",
                a.sync().qapi(), "bitmap", a.bitmap(), "bitmap-mode", a.mode().qapi(), "target", Place.BACKUP_TARGET,
                "format", "qcow2", "speed", 1L, "x-perf", perf(), "auto-finalize", false));
    }

    /** The live runner's backup target: blockdev-add of a null-co node as large as the disk (block/null.c). */
    public static Op backupTarget(NodeId n, int clusters) {
        return Op.qmp(n, "blockdev-add", "driver", "null-co", "node-name", BackupJobIds.TARGET, "size", bytes(clusters));
    }

    /**
     * backup_loop in block/backup.c: background work. The live runner waits for the cluster QEMU copies on its own,
     * lifts the speed limit for the last one (block-job-set-speed speed=0) and ends the job with job-finalize.
     */
    @Override
    public List<Op> visit(Action.BackupCopy a) {
        return List.of(new Op.Note("the backup job copies its next cluster; with none left it completes (background "
                + "work; block-job-set-speed device=backup speed=0 lets it finish, job-finalize id=backup ends it)"));
    }

    /**
     * A write error on the backup target (on-target-error=report), which ends the job through backup_abort as
     * block-job-cancel does. Disagreement: the live runner cannot make the target fail at a chosen step.
     */
    @Override
    public List<Op> visit(Action.BackupFail a) {
        if (f == LIVE) {
            // The one block event the monitor can fire is vmstate_load (NoSpaceLayer), which qcow2 emits on its own
            // file child: a blkdebug layer under the null-co target would need a qcow2 target, not done yet.
            return List.of(new Op.Unmappable("the live runner cannot make the backup target fail its next write: "
                    + "blkdebug's inject-error rules are armed by block events, and the one the monitor can fire "
                    + "(vmstate_load) reaches only a qcow2 node's file, not the null-co target; the failure path "
                    + "(backup_abort) is the one block-job-cancel takes, which BackupCancel maps"));
        }
        return List.of(new Op.Note("the backup target fails a write (blkdebug inject-error on the target): the job "
                + "ends with an error"));
    }

    /**
     * block-job-cancel (blockdev.c qmp_block_job_cancel). block/backup.c backup_cancel makes every cancel a forced one,
     * so job.c job_cancel_async cancels even a job that has copied everything and waits to be finalized.
     */
    @Override
    public List<Op> visit(Action.BackupCancel a) {
        return List.of(Op.qmp(a.node(), "block-job-cancel", "device", BackupJobIds.JOB));
    }

    /**
     * qemu-img.c img_bitmap: one operation on the image, named as its option is; -g in bytes, and --merge's source a
     * bitmap of the same image. qemu-img opens the image read-write, so it fails on the lock while a QEMU holds it.
     */
    @Override
    public List<Op> visit(Action.ImgBitmap a) {
        List<Object> argv = new ArrayList<>(List.of("qemu-img", "bitmap", a.op().option()));
        if (a.op() == Action.ImgOp.MERGE) {
            argv.add(a.source());
        }
        if (a.op() == Action.ImgOp.ADD) {
            argv.add("-g");
            argv.add(String.valueOf(bytes(a.granularity())));
            if (a.disabled()) {
                argv.add("--disable");
            }
        }
        argv.add(Place.IMAGE);
        argv.add(a.name());
        return List.of(new Op.Tool(List.copyOf(argv), ""));
    }

    /** qemu-img.c img_check with -r all: a read-write open that repairs refcounts and leaks. */
    @Override
    public List<Op> visit(Action.ImgCheck a) {
        return List.of(Op.tool("qemu-img", "check", "-r", "all", Place.IMAGE));
    }

    /**
     * qemu-img.c img_convert with --bitmaps [--skip-broken-bitmaps]: the copy beside the image, then a rename (mv within
     * one directory is rename(2)) that puts it in the image's place. qemu-img opens the image read-only without -U.
     */
    @Override
    public List<Op> visit(Action.ImgConvert a) {
        List<Object> argv = new ArrayList<>(List.of("qemu-img", "convert", "-f", "qcow2", "-O", "qcow2", "--bitmaps"));
        if (a.skipBroken()) {
            argv.add("--skip-broken-bitmaps");
        }
        argv.add(Place.IMAGE);
        argv.add(Place.CONVERTED);
        return List.of(new Op.Tool(List.copyOf(argv), ""),
                new Op.Tool(List.of("mv", "-f", Place.CONVERTED, Place.IMAGE), "the copy replaces the image"));
    }

    /**
     * A full volume. The live runner launches every QEMU with a blkdebug node between drive0 and file0
     * ({@link NoSpaceLayer}, block/blkdebug.c) and switches its ENOSPC rules with a vmstate read, after flushing
     * every QEMU (filling) or before it (freeing); the script only says so.
     */
    @Override
    public List<Op> visit(Action.VolumeFull a) {
        if (f == SCRIPT) {
            return List.of(new Op.Note(a.full() ? "the volume under the image runs out of space: every write fails with ENOSPC"
                    : "the volume under the image has space again"));
        }
        return NoSpaceLayer.ops(a.full());
    }

    /** x-perf of blockdev-backup (qapi/block-core.json BackupPerf): one worker, one 64 KiB chunk at a time. */
    static java.util.Map<String, Object> perf() {
        java.util.Map<String, Object> perf = new java.util.LinkedHashMap<>();
        perf.put("max-workers", 1L);
        perf.put("max-chunk", Geometry.CLUSTER_BYTES);
        return perf;
    }
}
