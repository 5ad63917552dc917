package dev.bitmig.model;

/**
 * The disk: {@code clusters} clusters of the shared image. Bitmig's unit is the cluster; a bitmap's granularity is a
 * power of two number of clusters. A QMP script maps one cluster to 64 KiB.
 */
public record Geometry(int clusters) {
    public static final long CLUSTER_BYTES = 64 * 1024;

    public Geometry {
        if (clusters < 1) {
            throw new IllegalArgumentException("a disk has at least one cluster, got " + clusters);
        }
    }

    /** Number of granules of a bitmap with this granularity: QEMU sizes a bitmap as ceil(size / granularity). */
    public int granules(int granularity) {
        return (clusters + granularity - 1) / granularity;
    }

    public boolean inBounds(int first, int count) {
        return first >= 0 && count >= 0 && (long) first + count <= clusters;
    }
}
