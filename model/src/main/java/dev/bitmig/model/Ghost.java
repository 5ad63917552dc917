package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;

/** The ghost part of the world: every live lineage and its truth. Never observable in QEMU. */
public record Ghost(SortedMap<Integer, Lineage> lineages) {

    public static final Ghost EMPTY = new Ghost(TreeMap.empty());

    /** The smallest id that is neither a live lineage nor a live family, so that equal histories give equal worlds. */
    public int nextId() {
        java.util.Set<Integer> taken = new java.util.HashSet<>(lineages.keySet().toJavaSet());
        lineages.values().forEach(l -> taken.add(l.family()));
        int id = 1;
        while (taken.contains(id)) {
            id++;
        }
        return id;
    }

    /** A fresh lineage that is its own family. */
    public Ghost born(int id, boolean persistent, boolean recording) {
        return with(id, new Lineage(persistent, recording, Granules.NONE, id));
    }

    public Lineage lineage(int id) {
        return lineages.get(id).getOrElseThrow(() -> new IllegalStateException("no lineage " + id));
    }

    public Ghost with(int id, Lineage l) {
        return new Ghost(lineages.put(id, l));
    }

    /** Every write by any writer counts for every lineage that is meant to record. */
    public Ghost written(SortedSet<Integer> clusters) {
        return clusters.isEmpty() ? this : new Ghost(lineages.mapValues(l -> l.written(clusters)));
    }

    public Ghost retain(SortedSet<Integer> referenced) {
        return new Ghost(lineages.filterKeys(referenced::contains));
    }

    /** The family of a lineage id (a lineage no longer alive is its own family). */
    public int family(int id) {
        return lineages.get(id).map(Lineage::family).getOrElse(id);
    }
}
