package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;

/**
 * One QEMU process and its block node on the shared image.
 *
 * @param readOnly    opened read-only: bitmaps load readonly and IN_USE is not written (qcow2-bitmap.c)
 * @param mirror      the mirror job running on the node, if any
 * @param autostart   system/vl.c autostart: an incoming VM runs when its migration completes; {@code stop} on an
 *                    incoming VM clears it and {@code cont} sets it (monitor/qmp-cmds.c). Only an incoming node keeps
 *                    it; on every other node it is false.
 * @param noBitmaps   migration/block-dirty-bitmap.c DBMSaveState.no_bitmaps of this QEMU process: a migration with the
 *                    dirty-bitmaps capability found no bitmap to send; nothing clears it, so this QEMU never migrates a
 *                    bitmap again (a QEMU bug, seen on 7.2.22; the same code in 10.0.2)
 * @param backup      the backup job running on the node, if any
 * @param unflushed   this QEMU's qcow2 metadata caches hold an update that a full volume refused (a failed write's
 *                    cluster allocation, a failed store's): every flush fails until the volume has space again, and
 *                    inactivation with it (block/qcow2.c qcow2_inactivate flushes the L2 and refcount caches)
 */
public record Node(RunState run, BlockState block, boolean readOnly, SortedMap<String, Bitmap> bitmaps,
                   Option<Mirror> mirror, boolean autostart, boolean noBitmaps, Option<BackupJob> backup,
                   boolean unflushed) {

    public static final Node OFF = new Node(RunState.OFF, BlockState.INACTIVE, false, TreeMap.empty());

    public Node {
        autostart = autostart && run == RunState.INMIGRATE;
    }

    /** A node as QEMU starts it: an incoming VM autostarts (no {@code -S}). */
    public Node(RunState run, BlockState block, boolean readOnly, SortedMap<String, Bitmap> bitmaps,
                Option<Mirror> mirror) {
        this(run, block, readOnly, bitmaps, mirror, run == RunState.INMIGRATE, false, Option.none(), false);
    }

    /** A node with every field but the caches' state. */
    public Node(RunState run, BlockState block, boolean readOnly, SortedMap<String, Bitmap> bitmaps,
                Option<Mirror> mirror, boolean autostart, boolean noBitmaps, Option<BackupJob> backup) {
        this(run, block, readOnly, bitmaps, mirror, autostart, noBitmaps, backup, false);
    }

    /** A node without a mirror job. */
    public Node(RunState run, BlockState block, boolean readOnly, SortedMap<String, Bitmap> bitmaps) {
        this(run, block, readOnly, bitmaps, Option.none());
    }

    /** Whether a block job (mirror or backup) holds the node: it blocks every other job (bdrv_op_is_blocked). */
    public boolean hasJob() {
        return mirror.isDefined() || backup.isDefined();
    }

    public boolean isOn() {
        return run != RunState.OFF;
    }

    public boolean isActive() {
        return isOn() && block == BlockState.ACTIVE;
    }

    /**
     * A copy that is not finished yet: on an incoming VM every bitmap is unfinished until the migration completes,
     * except those that an activation (QEMU 7.2's cont) loaded from the image and that no migration has made busy
     * (migration/block-dirty-bitmap.c dirty_bitmap_load_start creates an arriving bitmap busy; a backup job's bitmap
     * is busy too, but finished).
     */
    public boolean unfinished(String name, Bitmap b) {
        boolean arriving = b.busy() && !backup.exists(j -> j.bitmap().equals(name));
        return run == RunState.INMIGRATE && (block != BlockState.ACTIVE || arriving);
    }

    /**
     * The node's QEMU holds the image's locks: an active node, or one whose activation failed in the driver (block.c
     * bdrv_activate took the permissions before bdrv_invalidate_cache failed, and keeps them: "we can just keep the
     * extended permissions for the next time").
     */
    public boolean holdsLocks() {
        return isOn() && (block == BlockState.ACTIVE || block == BlockState.EJECTED);
    }

    /** Active and read-write: the node holds the image's write lock. */
    public boolean isWriter() {
        return isActive() && !readOnly;
    }

    public Option<Bitmap> bitmap(String name) {
        return bitmaps.get(name);
    }

    public Node withRun(RunState r) {
        return new Node(r, block, readOnly, bitmaps, mirror, autostart, noBitmaps, backup, unflushed);
    }

    public Node withBlock(BlockState b) {
        return new Node(run, b, readOnly, bitmaps, mirror, autostart, noBitmaps, backup, unflushed);
    }

    public Node withBitmaps(SortedMap<String, Bitmap> b) {
        return new Node(run, block, readOnly, b, mirror, autostart, noBitmaps, backup, unflushed);
    }

    /** This QEMU's bitmap migration is off for good (DBMSaveState.no_bitmaps). */
    public Node withNoBitmaps() {
        return new Node(run, block, readOnly, bitmaps, mirror, autostart, true, backup, unflushed);
    }

    public Node withAutostart(boolean a) {
        return new Node(run, block, readOnly, bitmaps, mirror, a, noBitmaps, backup, unflushed);
    }

    public Node withBitmap(String name, Bitmap b) {
        return withBitmaps(bitmaps.put(name, b));
    }

    public Node withoutBitmap(String name) {
        return withBitmaps(bitmaps.remove(name));
    }

    public Node withBackup(Option<BackupJob> j) {
        return new Node(run, block, readOnly, bitmaps, mirror, autostart, noBitmaps, j, unflushed);
    }

    public Node withMirror(Option<Mirror> m) {
        return new Node(run, block, readOnly, bitmaps, m, autostart, noBitmaps, backup, unflushed);
    }

    public Node withUnflushed(boolean u) {
        return new Node(run, block, readOnly, bitmaps, mirror, autostart, noBitmaps, backup, u);
    }
}
