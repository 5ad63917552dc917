package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;

/**
 * A backup job (blockdev-backup sync=incremental or sync=bitmap, block/backup.c) that holds one named bitmap. The
 * bitmap is busy and has a successor while the job runs; {@code toCopy} is the job's block-copy bitmap (the clusters
 * still to copy: the sync bitmap's bits at the start, one 64 KiB cluster a bit). The last two fields are ghost state:
 * {@code before} is the bitmap lineage's truth when the job started (the point in time the backup captures), and
 * {@code since} is the lineage that records what changes after that point, which the bitmap takes when the successor
 * is abdicated.
 */
public record BackupJob(String bitmap, Action.Sync sync, Action.BitmapMode mode, SortedSet<Integer> toCopy,
                        SortedMap<Integer, Origin> before, int since) {

    /** The job's name in QMP (job-id). */
    public static final String JOB_ID = "backup";

    public BackupJob withToCopy(SortedSet<Integer> t) {
        return new BackupJob(bitmap, sync, mode, t, before, since);
    }

    /** The job as QEMU could show it: the ghost erased. */
    public BackupJob observable() {
        return new BackupJob(bitmap, sync, mode, toCopy, TreeMap.empty(), 0);
    }

    /**
     * block/backup.c backup_cleanup_sync_bitmap: the successor is abdicated when the job succeeded or the mode is
     * always, unless the mode is never; otherwise it is reclaimed.
     */
    public boolean abdicates(boolean succeeded) {
        return (succeeded || mode == Action.BitmapMode.ALWAYS) && mode != Action.BitmapMode.NEVER;
    }
}
