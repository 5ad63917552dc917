package dev.bitmig.impl.node;

import dev.bitmig.model.BlockState;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.TreeMap;

/** One QEMU process and its block node {@code drive0}: run state, activation, read-only flag and named bitmaps. */
public final class BlockNode {
    private RunState run;
    private BlockState block;
    private boolean readOnly;
    private final TreeMap<String, DirtyBitmap> bitmaps = new TreeMap<>();
    private MirrorJob mirror;
    private BackupJobState backup;
    /** system/vl.c autostart: kept only while the node waits for an incoming migration (no -S: set). */
    private boolean autostart;
    /** migration/block-dirty-bitmap.c DBMSaveState.no_bitmaps: once set, this QEMU never migrates a bitmap again. */
    private boolean noBitmaps;
    /** The qcow2 caches hold an update that a full volume refused: every flush fails until the volume has space. */
    private boolean unflushed;

    public BlockNode(RunState run, BlockState block, boolean readOnly) {
        this.run = run;
        this.block = block;
        this.readOnly = readOnly;
        this.autostart = run == RunState.INMIGRATE;
    }

    public static BlockNode off() {
        return new BlockNode(RunState.OFF, BlockState.INACTIVE, false);
    }

    public BlockNode copy() {
        BlockNode c = new BlockNode(run, block, readOnly);
        c.autostart = autostart;
        c.noBitmaps = noBitmaps;
        c.unflushed = unflushed;
        c.mirror = mirror == null ? null : mirror.copy();
        c.backup = backup == null ? null : backup.copy();
        bitmaps.forEach((k, v) -> c.bitmaps.put(k, v.copy()));
        return c;
    }

    public boolean isOn() {
        return run != RunState.OFF;
    }

    public boolean isActive() {
        return isOn() && block == BlockState.ACTIVE;
    }

    /** Holds the image's locks: active, or ejected after its activation took them (block.c bdrv_activate). */
    public boolean holdsLocks() {
        return isOn() && (block == BlockState.ACTIVE || block == BlockState.EJECTED);
    }

    /** Active and read-write: holds the image's write lock. */
    public boolean isWriter() {
        return isActive() && !readOnly;
    }

    public RunState run() {
        return run;
    }

    public void setRun(RunState r) {
        run = r;
        autostart &= r == RunState.INMIGRATE;
    }

    /** Whether an incoming VM runs when its migration completes (qmp_stop clears it, qmp_cont sets it). */
    public boolean autostart() {
        return autostart;
    }

    public boolean noBitmaps() {
        return noBitmaps;
    }

    /** A migration with the capability found no bitmap: this QEMU's bitmap migration is off for good (a QEMU bug). */
    public void setNoBitmaps() {
        noBitmaps = true;
    }

    public boolean unflushed() {
        return unflushed;
    }

    public void setUnflushed(boolean u) {
        unflushed = u;
    }

    public void setAutostart(boolean a) {
        autostart = a && run == RunState.INMIGRATE;
    }

    public BlockState block() {
        return block;
    }

    public void setBlock(BlockState b) {
        block = b;
    }

    public boolean readOnly() {
        return readOnly;
    }



    /** The mirror job running on this node, or null. */
    public MirrorJob mirror() {
        return mirror;
    }

    public void setMirror(MirrorJob m) {
        mirror = m;
    }

    /** The backup job running on this node, or null. */
    public BackupJobState backup() {
        return backup;
    }

    public void setBackup(BackupJobState b) {
        backup = b;
    }

    /** The named bitmaps, sorted by name; live view. */
    public TreeMap<String, DirtyBitmap> bitmaps() {
        return bitmaps;
    }

    public DirtyBitmap bitmap(String name) {
        return bitmaps.get(name);
    }

    /** qmp_block_dirty_bitmap_add's checks, in the model's order; empty when the add may proceed. */
    public Optional<String> checkAdd(String name, long granularityBytes, boolean persistent) {
        if (name.isEmpty()) return Optional.of(QemuErrors.EMPTY_NAME);
        if (name.getBytes(StandardCharsets.UTF_8).length > QemuErrors.MAX_NAME_BYTES) {
            return Optional.of(QemuErrors.nameTooLong(name));
        }
        if (!Disk.validGranularity(granularityBytes)) return Optional.of(QemuErrors.BAD_GRANULARITY);
        // A node without a driver (D4): bdrv_can_store_new_dirty_bitmap, then bdrv_getlength, fail.
        if (block == BlockState.EJECTED && persistent) return Optional.of(QemuErrors.NO_MEDIUM_STORE);
        if (bitmaps.containsKey(name)) return Optional.of(QemuErrors.alreadyExists(name));
        if (block == BlockState.EJECTED) return Optional.of(QemuErrors.NO_MEDIUM_LENGTH);
        return Optional.empty();
    }

    /** bdrv_dirty_bitmap_check: not found, BUSY, RO (when it matters), INCONSISTENT (when it matters). */
    public Optional<String> check(String name, boolean readonlyMatters, boolean inconsistentMatters) {
        DirtyBitmap b = bitmaps.get(name);
        if (b == null) return Optional.of(QemuErrors.notFound(name));
        if (b.busy()) return Optional.of(QemuErrors.busy(name));
        if (readonlyMatters && b.readonly()) return Optional.of(QemuErrors.readonly(name));
        if (inconsistentMatters && b.inconsistent()) return Optional.of(QemuErrors.inconsistent(name));
        return Optional.empty();
    }

    /** A guest write of bytes [offset, offset+bytes): every enabled bitmap (and enabled successor) records. */
    public void markDirty(long offset, long bytes) {
        for (DirtyBitmap b : bitmaps.values()) {
            b.markDirty(offset, bytes);
        }
    }

    public boolean anyReadonly() {
        for (DirtyBitmap b : bitmaps.values()) {
            if (b.readonly()) return true;
        }
        return false;
    }
}
