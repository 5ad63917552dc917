package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Qcow2FormatException.fail;
import static dev.bitmig.impl.qcow2.Sizes.hex;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which metadata structure uses each cluster, as found while reading the image: the header, the refcount table and
 * blocks, the L1 table, the bitmap directory, bitmap tables and bitmap data. Two structures sharing a cluster make
 * the image corrupt, as QEMU's metadata overlap checks do (block/qcow2-refcount.c, qcow2_check_metadata_overlap).
 */
final class ClusterOwners {

    private final int clusterSize;
    private final Map<Long, String> owners;

    ClusterOwners(int clusterSize) {
        this(clusterSize, new HashMap<>());
    }

    private ClusterOwners(int clusterSize, Map<Long, String> owners) {
        this.clusterSize = clusterSize;
        this.owners = owners;
    }

    /** An independent copy, for reading structures that must not stay claimed. */
    ClusterOwners copy() {
        return new ClusterOwners(clusterSize, new HashMap<>(owners));
    }

    /**
     * Claims the clusters of {@code bytes} bytes from {@code offset} for the structure {@code who} found through its
     * {@code field} of {@code value}.
     *
     * @throws Qcow2FormatException when another structure already uses one of them
     */
    void claim(long offset, long bytes, String who, String field, long value) throws Qcow2FormatException {
        String what = who + " " + field + " " + hex(value);
        for (long c = offset / clusterSize; c <= (offset + bytes - 1) / clusterSize; c++) {
            String prev = owners.putIfAbsent(c, what);
            if (prev != null) {
                throw fail("%s: %s %s uses cluster %s already used by %s", who, field, hex(value),
                        hex(c * clusterSize), prev);
            }
        }
    }

    /** Records a cluster taken by a structure created here (a new refcount block). */
    void take(long cluster, String what) {
        owners.put(cluster, what);
    }

    boolean owned(long cluster) {
        return owners.containsKey(cluster);
    }

    /** The used clusters' indexes in ascending order. */
    Set<Long> clusters() {
        return new TreeSet<>(owners.keySet());
    }
}
