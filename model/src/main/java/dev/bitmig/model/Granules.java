package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;

/** Granule arithmetic of util/hbitmap.c: writes round outward to whole granules. */
public final class Granules {
    private Granules() {
    }

    public static final SortedSet<Integer> NONE = TreeSet.empty();

    /** The coarsest granularity QEMU accepts, 2 GiB, in 64 KiB clusters. */
    public static final int MAX_GRANULARITY = (int) ((1L << 31) / Geometry.CLUSTER_BYTES);

    /** Granules touched by clusters [first, first+count): hbitmap_set rounds the range outward. */
    public static SortedSet<Integer> covering(int first, int count, int granularity) {
        if (count <= 0) {
            return NONE;
        }
        int firstGranule = first / granularity;
        int lastGranule = (first + count - 1) / granularity;
        return TreeSet.rangeClosed(firstGranule, lastGranule);
    }

    /** Granules of granularity {@code granularity} that cover the given clusters. */
    public static SortedSet<Integer> coveringClusters(SortedSet<Integer> clusters, int granularity) {
        return clusters.map(c -> c / granularity);
    }

    /** Clusters reported by a set of granules: a cluster counts as reported when its granule is set. */
    public static SortedSet<Integer> clusters(SortedSet<Integer> granules, int granularity, Geometry geometry) {
        return granules.flatMap(g -> TreeSet.range(g * granularity, Math.min((g + 1) * granularity, geometry.clusters())));
    }

    /** Every granule of a bitmap with this granularity. */
    public static SortedSet<Integer> all(int granularity, Geometry geometry) {
        return TreeSet.range(0, geometry.granules(granularity));
    }

    /**
     * Granules of granularity {@code to} covering granules of granularity {@code from}: merge across granularities
     * rounds outward (block/dirty-bitmap.c bdrv_merge_dirty_bitmap accepts different granularities).
     */
    public static SortedSet<Integer> regrain(SortedSet<Integer> granules, int from, int to, Geometry geometry) {
        if (from == to) {
            return granules;
        }
        return coveringClusters(clusters(granules, from, geometry), to);
    }

    public static boolean isPowerOfTwo(int n) {
        return n > 0 && (n & (n - 1)) == 0;
    }
}
