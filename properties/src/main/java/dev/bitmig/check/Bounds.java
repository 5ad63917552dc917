package dev.bitmig.check;

import dev.bitmig.model.Geometry;
import io.vavr.collection.List;

/**
 * The bounded configuration a run explores: the disk, the bitmap names and granularities the actions may use, the
 * depth, and the longest write. The canary is not among the names: the canary policies create it themselves.
 *
 * @param clusters      disk size in clusters
 * @param granularities bitmap granularities, in clusters
 * @param names         bitmap names
 * @param depth         the longest action sequence explored
 * @param maxWrite      the longest write, in clusters
 * @param readOnlyLaunch also launch QEMU on a read-only image (readonly bitmaps, H4)
 */
public record Bounds(int clusters, List<Integer> granularities, List<String> names, int depth, int maxWrite,
                     boolean readOnlyLaunch) {

    /** The default: 3 clusters, granularities {1, 2}, names {a, b}, depth 10 (issue "properties: the checker"). */
    public static final Bounds DEFAULT = new Bounds(3, List.of(1, 2), List.of("a", "b"), 10, 1, false);

    public Bounds {
        if (clusters < 1) {
            throw new IllegalArgumentException("clusters must be at least 1, got " + clusters);
        }
        if (depth < 0) {
            throw new IllegalArgumentException("depth must not be negative, got " + depth);
        }
        if (granularities.isEmpty() || granularities.exists(g -> g < 1 || Integer.bitCount(g) != 1)) {
            throw new IllegalArgumentException("granularities must be powers of two, got " + granularities.mkString(","));
        }
        if (names.isEmpty() || names.exists(String::isEmpty)) {
            throw new IllegalArgumentException("bitmap names must be non-empty, got " + names.mkString(","));
        }
        if (maxWrite < 1) {
            throw new IllegalArgumentException("the longest write must be at least one cluster, got " + maxWrite);
        }
    }

    public Geometry geometry() {
        return new Geometry(clusters);
    }

    public Bounds withDepth(int d) {
        return new Bounds(clusters, granularities, names, d, maxWrite, readOnlyLaunch);
    }

    public Bounds withClusters(int c) {
        return new Bounds(c, granularities, names, depth, Math.min(maxWrite, c), readOnlyLaunch);
    }
}
