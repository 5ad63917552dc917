package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;

/** The ghost part of the world: every live lineage and its truth. Never observable in QEMU. */
public record Ghost(SortedMap<Integer, Lineage> lineages) {

    public static final Ghost EMPTY = new Ghost(TreeMap.empty());

    /** The smallest free id, so that equal histories give equal worlds. */
    public int nextId() {
        int id = 1;
        while (lineages.containsKey(id)) {
            id++;
        }
        return id;
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
}
