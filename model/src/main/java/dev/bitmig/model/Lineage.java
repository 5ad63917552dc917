package dev.bitmig.model;

import io.vavr.collection.SortedSet;

/**
 * Ghost truth of one user bitmap: the clusters that really changed while the user meant it to record (since its add or
 * its last clear, in its enabled periods), by any writer. Truth decides whether a bitmap under-reports.
 *
 * @param persistent the user asked for a persistent bitmap
 * @param recording  the user means it to record (enabled by the user, whatever QEMU did to the flag)
 */
public record Lineage(boolean persistent, boolean recording, SortedSet<Integer> truth) {

    public Lineage written(SortedSet<Integer> clusters) {
        return recording ? new Lineage(persistent, true, truth.addAll(clusters)) : this;
    }

    public Lineage cleared() {
        return new Lineage(persistent, recording, Granules.NONE);
    }

    public Lineage withRecording(boolean r) {
        return new Lineage(persistent, r, truth);
    }
}
