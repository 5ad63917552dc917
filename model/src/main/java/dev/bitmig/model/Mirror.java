package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;

/**
 * An active mirror job (blockdev-mirror sync=full copy-mode=write-blocking, block/mirror.c) and its internal dirty
 * bitmap {@code s->dirty_bitmap}: anonymous, so it is never listed by name, migrated or stored. A set granule is one
 * the job still has to copy. {@code granularity} is in clusters; {@code lineage} is ghost state whose truth is the
 * set of clusters on which the mirror's target is stale.
 */
public record Mirror(int granularity, SortedSet<Integer> granules, int lineage) {

    /** The job's name in QMP (job-id). */
    public static final String JOB_ID = "mirror";

    /** The coarsest granularity blockdev-mirror accepts, 64 MiB, in clusters (blockdev.c). */
    public static final int MAX_GRANULARITY = (int) ((64L << 20) / Geometry.CLUSTER_BYTES);

    /** blockdev.c blockdev_mirror_common accepts it: a power of 2 from 512 B (here a cluster) to 64 MiB. */
    public static boolean validGranularity(int clusters) {
        return clusters >= 1 && clusters <= MAX_GRANULARITY && Granules.isPowerOfTwo(clusters);
    }

    public Mirror withGranules(SortedSet<Integer> g) {
        return new Mirror(granularity, g, lineage);
    }

    public Mirror withLineage(int l) {
        return new Mirror(granularity, granules, l);
    }

    /**
     * block/mirror.c do_sync_target_write: a guest write reached both images, so the granules that lie wholly inside
     * clusters [first, first+count) are clean; the range is aligned inward (QEMU_ALIGN_UP of the start, QEMU_ALIGN_DOWN
     * of the end) because the neighbours' other clusters may still be stale.
     */
    public Mirror activeWrite(int first, int count) {
        int from = (first + granularity - 1) / granularity;
        int to = (first + count) / granularity;
        return from < to ? withGranules(granules.removeAll(TreeSet.range(from, to))) : this;
    }
}
