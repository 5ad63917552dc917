package dev.bitmig.model;

import io.vavr.collection.SortedSet;

/**
 * Ghost truth of one user bitmap: the clusters that really changed while the user meant it to record (since its add or
 * its last clear, in its enabled periods), by any writer. Truth decides whether a bitmap under-reports.
 *
 * <p>Copies of one bitmap (the source's and the target's after a migration) share a lineage until the user treats
 * them differently: then the copy the user touched forks a lineage of its own in the same {@code family}. A family is
 * one user bitmap for loss accounting.
 *
 * @param persistent the user asked for a persistent bitmap
 * @param recording  the user means it to record (enabled by the user, whatever QEMU did to the flag)
 * @param family     the id of the lineage this one forked from, or its own id
 */
public record Lineage(boolean persistent, boolean recording, SortedSet<Integer> truth, int family) {

    public Lineage written(SortedSet<Integer> clusters) {
        return recording ? new Lineage(persistent, true, truth.addAll(clusters), family) : this;
    }

    public Lineage cleared() {
        return new Lineage(persistent, recording, Granules.NONE, family);
    }

    public Lineage withRecording(boolean r) {
        return new Lineage(persistent, r, truth, family);
    }

    /** The clusters no longer differ from where they are copied to (a mirror job's truth). */
    public Lineage synced(SortedSet<Integer> clusters) {
        return new Lineage(persistent, recording, truth.removeAll(clusters), family);
    }
}
