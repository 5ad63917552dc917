package dev.bitmig.qemu;

/** The names a backup job goes by on QEMU: its job-id, and the node of its target. */
public final class BackupJobIds {
    private BackupJobIds() {
    }

    /** job-id of the model's backup job (dev.bitmig.model.BackupJob.JOB_ID). */
    public static final String JOB = dev.bitmig.model.BackupJob.JOB_ID;
}
