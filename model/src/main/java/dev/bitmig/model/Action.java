package dev.bitmig.model;

import io.vavr.collection.List;

/** Every action a user, a guest, a tool or fate can take. Each record is one named transition of {@link Spec}. */
public sealed interface Action {

    /** Which tool writes the image while no QEMU holds it. */
    enum Writer {
        /** qemu-io / qemu-img 2.10+: loads, records into and stores the enabled persistent bitmaps. */
        AWARE,
        /** A tool without bitmap support: clears autoclear bit 0 before it writes (docs/interop/qcow2.txt). */
        UNAWARE
    }

    /** Where a migration fails: before the source inactivated, or in the final flush after it. */
    enum FailPoint { BEFORE_HANDOVER, AFTER_HANDOVER }

    /** blockdev-backup's sync modes that use a bitmap (qapi/block-core.json MirrorSyncMode). */
    enum Sync {
        /** sync=incremental: sync=bitmap with bitmap-mode on-success (blockdev.c do_backup_common). */
        INCREMENTAL,
        BITMAP;

        public String qapi() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** blockdev-backup bitmap-mode (qapi/block-core.json BitmapSyncMode): what the job's end does to the bitmap. */
    enum BitmapMode {
        ON_SUCCESS,
        ALWAYS,
        NEVER;

        public String qapi() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * qemu-img bitmap's operations (qemu-img.c img_bitmap), each named as its option is: --add, --remove, --clear,
     * --enable, --disable, --merge.
     */
    enum ImgOp {
        ADD,
        REMOVE,
        CLEAR,
        ENABLE,
        DISABLE,
        MERGE;

        /** The option on qemu-img's command line. */
        public String option() {
            return "--" + word();
        }

        /** The word qemu-img's error names the operation by ("Operation clear on bitmap a failed: ..."). */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The guest (or HMP qemu-io) writes clusters [first, first+count) through {@code node}. */
    record GuestWrite(NodeId node, int first, int count) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** A standalone tool writes the image while no QEMU holds it. */
    record ForeignWrite(Writer writer, int first, int count) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** bdrv_inactivate_all / blockdev-set-active active=false; on the source of a migration this is the handover. */
    record Inactivate(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** bdrv_activate (formerly "invalidate cache"), as cont or a failed migration or blockdev-set-active do it. */
    record Activate(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record Cont(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record Stop(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** migrate, with the dirty-bitmaps capability set on both sides or not. */
    record MigrateStart(boolean capability) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record MigrateComplete() implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record MigrateCancel() implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record MigrateFail(FailPoint when) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record BitmapAdd(NodeId node, String name, int granularity, boolean persistent, boolean disabled) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record BitmapRemove(NodeId node, String name) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record BitmapClear(NodeId node, String name) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record BitmapEnable(NodeId node, String name) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record BitmapDisable(NodeId node, String name) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    record BitmapMerge(NodeId node, String target, List<String> sources) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** quit: a clean close. */
    record Quit(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** kill -9. */
    record Crash(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** Start QEMU on the image: with {@code -incoming}, or opening it active (read-only if asked). */
    record Launch(NodeId node, boolean incoming, boolean readOnly) implements Action {
        public Launch(NodeId node, boolean incoming) {
            this(node, incoming, false);
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** An incremental backup copies what the bitmap reports, then clears it: the lineage's truth restarts. */
    record Backup(NodeId node, String bitmap) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /**
     * blockdev-mirror sync=full copy-mode=write-blocking job-id=mirror: an active mirror of the node to another image,
     * with a dirty bitmap of {@code granularity} clusters that starts with the whole disk to copy.
     */
    record MirrorStart(NodeId node, int granularity) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** One background iteration of the mirror job (mirror_iteration): it copies the first granule still to copy. */
    record MirrorCopy(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** block-job-cancel mirror: the job ends and its dirty bitmap is released. */
    record MirrorCancel(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /**
     * blockdev-backup sync=incremental|bitmap bitmap=NAME bitmap-mode=MODE job-id=backup: a backup job starts on the
     * node; the bitmap becomes busy and gets a successor that records new writes (block/backup.c backup_job_create).
     */
    record BackupStart(NodeId node, String bitmap, Sync sync, BitmapMode mode) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /**
     * One step of the backup job (block/backup.c backup_loop): it copies the first cluster still to copy; when none is
     * left, the job completes and its bitmap is abdicated or reclaimed (backup_commit).
     */
    record BackupCopy(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** The backup target fails a write (on-target-error=report): the job ends with an error (backup_abort). */
    record BackupFail(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** block-job-cancel backup: the job ends as cancelled (backup_abort). */
    record BackupCancel(NodeId node) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /**
     * qemu-img bitmap OP [-g GRANULARITY] [--disable] IMAGE NAME, or --merge SOURCE: a bitmap-aware tool opens the
     * image read-write (taking the write lock), loads its bitmaps, performs one operation and closes the image, which
     * stores them (qemu-img.c img_bitmap). {@code granularity} (in clusters) and {@code disabled} belong to --add,
     * {@code source} (a bitmap of the same image) to --merge; the other operations take 0, false and "".
     */
    record ImgBitmap(ImgOp op, String name, int granularity, boolean disabled, String source) implements Action {
        public ImgBitmap {
            java.util.Objects.requireNonNull(op, "op");
            java.util.Objects.requireNonNull(name, "name");
            java.util.Objects.requireNonNull(source, "source");
            if (op != ImgOp.ADD && (granularity != 0 || disabled)) {
                throw new IllegalArgumentException("granularity and disabled belong to --add, not to " + op.option());
            }
            if (op == ImgOp.MERGE && source.isEmpty()) {
                throw new IllegalArgumentException("--merge needs a source bitmap");
            }
            if (op != ImgOp.MERGE && !source.isEmpty()) {
                throw new IllegalArgumentException("a source bitmap belongs to --merge, not to " + op.option());
            }
        }

        /** qemu-img bitmap --add -g GRANULARITY [--disable] IMAGE NAME. */
        public static ImgBitmap add(String name, int granularity, boolean disabled) {
            return new ImgBitmap(ImgOp.ADD, name, granularity, disabled, "");
        }

        /** qemu-img bitmap --remove|--clear|--enable|--disable IMAGE NAME. */
        public static ImgBitmap of(ImgOp op, String name) {
            return new ImgBitmap(op, name, 0, false, "");
        }

        /** qemu-img bitmap --merge SOURCE IMAGE TARGET. */
        public static ImgBitmap merge(String target, String source) {
            return new ImgBitmap(ImgOp.MERGE, target, 0, false, source);
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /**
     * qemu-img check -r all IMAGE: opens the image read-write (taking the write lock), checks and repairs refcounts,
     * and closes it (qemu-img.c img_check, block/qcow2.c qcow2_co_check_locked).
     */
    record ImgCheck() implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /**
     * qemu-img convert -f qcow2 -O qcow2 --bitmaps [--skip-broken-bitmaps] IMAGE IMAGE.new, then IMAGE.new renamed over
     * IMAGE: the image is replaced by its converted copy, the workflow of backup tools and storage moves while the VM is
     * down (qemu-img.c img_convert, convert_check_bitmaps, convert_copy_bitmaps).
     */
    record ImgConvert(boolean skipBroken) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /**
     * The volume under the image runs out of space ({@code full}), or has space again. Fate, not a command: while it
     * is full every write to the image fails with ENOSPC, a QEMU's and a tool's alike (a thin pool or a quota that ran
     * out answers so even for overwrites).
     */
    record VolumeFull(boolean full) implements Action {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }
    }

    /** Exhaustive handling of every action: adding an action breaks every visitor until it handles it. */
    interface Visitor<R> {
        R visit(GuestWrite a);

        R visit(ForeignWrite a);

        R visit(Inactivate a);

        R visit(Activate a);

        R visit(Cont a);

        R visit(Stop a);

        R visit(MigrateStart a);

        R visit(MigrateComplete a);

        R visit(MigrateCancel a);

        R visit(MigrateFail a);

        R visit(BitmapAdd a);

        R visit(BitmapRemove a);

        R visit(BitmapClear a);

        R visit(BitmapEnable a);

        R visit(BitmapDisable a);

        R visit(BitmapMerge a);

        R visit(Quit a);

        R visit(Crash a);

        R visit(Launch a);

        R visit(Backup a);

        R visit(MirrorStart a);

        R visit(MirrorCopy a);

        R visit(MirrorCancel a);

        R visit(BackupStart a);

        R visit(BackupCopy a);

        R visit(BackupFail a);

        R visit(BackupCancel a);

        R visit(ImgBitmap a);

        R visit(ImgCheck a);

        R visit(ImgConvert a);

        R visit(VolumeFull a);
    }

    <R> R accept(Visitor<R> v);

    /** The kind of action, for statistics: the record's simple name. */
    default String kind() {
        return getClass().getSimpleName();
    }
}
