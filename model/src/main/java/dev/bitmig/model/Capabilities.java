package dev.bitmig.model;

/**
 * What backup tools do beyond the thread's question, each off by default so that the default matrix stays about the
 * user's bitmaps across migration.
 *
 * @param backupJobs    backup jobs that hold a bitmap (blockdev-backup sync=incremental|bitmap with bitmap-mode), their
 *                      steps, and their failure and cancellation
 * @param offlineTools  qemu-img's offline edits of the image's bitmaps (qemu-img bitmap --add, --remove, --clear,
 *                      --enable, --disable, --merge) and qemu-img check -r all, by a tool that takes the image lock,
 *                      and qemu-img convert --bitmaps [--skip-broken-bitmaps] whose copy replaces the image
 * @param storeFailures the volume under the image runs out of space and is freed again ({@link Action.VolumeFull}):
 *                      every write to the image fails with ENOSPC meanwhile, bitmap stores and IN_USE updates included
 */
public record Capabilities(boolean backupJobs, boolean offlineTools, boolean storeFailures) {

    /** Nothing beyond the default alphabet. */
    public static final Capabilities NONE = new Capabilities(false, false, false);

    /** Every capability. */
    public static final Capabilities ALL = new Capabilities(true, true, true);

    /** Backup jobs only (--backup-jobs). */
    public static final Capabilities BACKUP_JOBS = new Capabilities(true, false, false);

    /** qemu-img's offline edits only (--offline-tools). */
    public static final Capabilities OFFLINE_TOOLS = new Capabilities(false, true, false);

    /** A volume that runs out of space only (--store-failures). */
    public static final Capabilities STORE_FAILURES = new Capabilities(false, false, true);

    public boolean any() {
        return backupJobs || offlineTools || storeFailures;
    }
}
