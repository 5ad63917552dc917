package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;

/**
 * Ghost truth of one user bitmap: the clusters that really changed while the user meant it to record (since its add or
 * its last clear, in its enabled periods), by any writer, each with the {@link Origin} of its last write. Truth decides
 * whether a bitmap under-reports; the origins say whose write it missed, and when.
 *
 * <p>Copies of one bitmap (the source's and the target's after a migration) share a lineage until the user treats
 * them differently: then the copy the user touched forks a lineage of its own in the same {@code family}. A family is
 * one user bitmap for loss accounting.
 *
 * @param persistent the user asked for a persistent bitmap
 * @param recording  the user means it to record (enabled by the user, whatever QEMU did to the flag)
 * @param origins    the truth: every changed cluster, with the origin of its last write
 * @param family     the id of the lineage this one forked from, or its own id
 */
public record Lineage(boolean persistent, boolean recording, SortedMap<Integer, Origin> origins, int family) {

    /** A lineage with no truth yet. */
    public static Lineage fresh(boolean persistent, boolean recording, int family) {
        return new Lineage(persistent, recording, TreeMap.empty(), family);
    }

    /** The clusters that changed while the user meant the bitmap to record. */
    public SortedSet<Integer> truth() {
        return origins.keySet();
    }

    public Lineage written(SortedSet<Integer> clusters, Origin origin) {
        if (!recording) {
            return this;
        }
        SortedMap<Integer, Origin> next = origins;
        for (int c : clusters) {
            next = next.put(c, origin);
        }
        return new Lineage(persistent, true, next, family);
    }

    public Lineage cleared() {
        return new Lineage(persistent, recording, TreeMap.empty(), family);
    }

    public Lineage withRecording(boolean r) {
        return new Lineage(persistent, r, origins, family);
    }

    /** The clusters no longer differ from where they are copied to (a mirror job's truth). */
    public Lineage synced(SortedSet<Integer> clusters) {
        return new Lineage(persistent, recording, origins.removeAll(clusters), family);
    }
}
