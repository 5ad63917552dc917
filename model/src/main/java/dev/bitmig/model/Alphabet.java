package dev.bitmig.model;

import io.vavr.collection.List;

/**
 * What the action alphabet ranges over: the disk, the bitmap names and granularities, how long a write may be, and
 * which optional moves are in play. The checker's bounds add a depth to it.
 *
 * @param clusters            disk size in clusters
 * @param granularities       bitmap granularities, in clusters
 * @param names               bitmap names
 * @param maxWrite            the longest write, in clusters
 * @param readOnlyLaunch      also launch QEMU on a read-only image
 * @param inactiveAdds        also add bitmaps to a node that does not own the image
 * @param writeStride         writes start only at multiples of this many clusters
 * @param mirrorGranularities granularities of the active mirror jobs that may start (none: no mirror job)
 * @param without             action kinds left out
 * @param capabilities        what backup tools do beyond the default alphabet ({@link Capabilities})
 */
public record Alphabet(int clusters, List<Integer> granularities, List<String> names, int maxWrite,
                       boolean readOnlyLaunch, boolean inactiveAdds, int writeStride, List<Integer> mirrorGranularities,
                       List<String> without, Capabilities capabilities) {

    /** An alphabet without the backup tools' capabilities. */
    public Alphabet(int clusters, List<Integer> granularities, List<String> names, int maxWrite,
                    boolean readOnlyLaunch, boolean inactiveAdds, int writeStride, List<Integer> mirrorGranularities,
                    List<String> without) {
        this(clusters, granularities, names, maxWrite, readOnlyLaunch, inactiveAdds, writeStride, mirrorGranularities,
                without, Capabilities.NONE);
    }
}
