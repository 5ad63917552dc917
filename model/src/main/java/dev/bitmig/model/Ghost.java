package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;

/** The ghost part of the world: every live lineage and its truth. Never observable in QEMU. */
public record Ghost(SortedMap<Integer, Lineage> lineages) {

    public static final Ghost EMPTY = new Ghost(TreeMap.empty());

    /** The smallest id that is neither a live lineage nor a live family, so that equal histories give equal worlds. */
    public int nextId() {
        java.util.BitSet taken = new java.util.BitSet();
        for (var e : lineages) {
            taken.set(e._1);
            taken.set(e._2.family());
        }
        return taken.nextClearBit(1);
    }

    /** A fresh lineage that is its own family. */
    public Ghost born(int id, boolean persistent, boolean recording) {
        return with(id, Lineage.fresh(persistent, recording, id));
    }

    public Lineage lineage(int id) {
        return lineages.get(id).getOrElseThrow(() -> new IllegalStateException("no lineage " + id));
    }

    /** One lineage's truth, changed by {@code f}. */
    public Ghost update(int id, java.util.function.UnaryOperator<Lineage> f) {
        return with(id, f.apply(lineage(id)));
    }

    public Ghost with(int id, Lineage l) {
        return new Ghost(lineages.put(id, l));
    }

    /** Every write by any writer counts for every lineage that is meant to record, with the write's origin. */
    public Ghost written(SortedSet<Integer> clusters, Origin origin) {
        return clusters.isEmpty() ? this : new Ghost(lineages.mapValues(l -> l.written(clusters, origin)));
    }

    public Ghost retain(SortedSet<Integer> referenced) {
        return new Ghost(lineages.filterKeys(referenced::contains));
    }

    /** The family of a lineage id (a lineage no longer alive is its own family). */
    public int family(int id) {
        return lineages.get(id).map(Lineage::family).getOrElse(id);
    }
}
