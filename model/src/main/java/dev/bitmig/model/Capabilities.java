package dev.bitmig.model;

/**
 * What backup tools do beyond the thread's question, each off by default so that the default matrix stays about the
 * user's bitmaps across migration.
 *
 * @param backupJobs backup jobs that hold a bitmap (blockdev-backup sync=incremental|bitmap with bitmap-mode), their
 *                   steps, and their failure and cancellation
 * @param offlineTools qemu-img's offline edits of the image's bitmaps (qemu-img bitmap --add, --remove, --clear,
 *                     --enable, --disable, --merge) and qemu-img check -r all, by a tool that takes the image lock,
 *                     and qemu-img convert --bitmaps [--skip-broken-bitmaps] whose copy replaces the image
 */
public record Capabilities(boolean backupJobs, boolean offlineTools) {

    /** Nothing beyond the default alphabet. */
    public static final Capabilities NONE = new Capabilities(false, false);

    /** Every capability. */
    public static final Capabilities ALL = new Capabilities(true, true);

    /** Backup jobs only (--backup-jobs). */
    public static final Capabilities BACKUP_JOBS = new Capabilities(true, false);

    /** qemu-img's offline edits only (--offline-tools). */
    public static final Capabilities OFFLINE_TOOLS = new Capabilities(false, true);

    public boolean any() {
        return backupJobs || offlineTools;
    }
}
