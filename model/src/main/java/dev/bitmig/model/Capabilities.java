package dev.bitmig.model;

/**
 * What backup tools do beyond the thread's question, each off by default so that the default matrix stays about the
 * user's bitmaps across migration.
 *
 * @param backupJobs backup jobs that hold a bitmap (blockdev-backup sync=incremental|bitmap with bitmap-mode), their
 *                   steps, and their failure and cancellation
 */
public record Capabilities(boolean backupJobs) {

    /** Nothing beyond the default alphabet. */
    public static final Capabilities NONE = new Capabilities(false);

    /** Every capability. */
    public static final Capabilities ALL = new Capabilities(true);

    public boolean any() {
        return backupJobs;
    }
}
