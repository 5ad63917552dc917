package dev.bitmig.qemu;

/** The names a backup job goes by on QEMU: its job-id, and the node of its target. */
public final class BackupJobIds {
    private BackupJobIds() {
    }

    /** job-id of the model's backup job (dev.bitmig.model.BackupJob.JOB_ID). */
    public static final String JOB = dev.bitmig.model.BackupJob.JOB_ID;

    /** node-name of the backup target (the model's one target per QEMU: QemuErrors.BACKUP_TARGET_BUSY). */
    public static final String TARGET = "backup-target";

    /** filter-node-name of the job's copy-before-write filter, through which the guest then writes. */
    public static final String FILTER = "backup-top";
}
