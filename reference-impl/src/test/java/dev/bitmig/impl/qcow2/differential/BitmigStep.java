package dev.bitmig.impl.qcow2.differential;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/** One step of a history that bitmig writes. A history's first step is always {@link Create}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "step")
@JsonSubTypes({
    @JsonSubTypes.Type(value = BitmigStep.Create.class, name = "create"),
    @JsonSubTypes.Type(value = BitmigStep.Store.class, name = "store"),
    @JsonSubTypes.Type(value = BitmigStep.SetFlags.class, name = "flags in place"),
    @JsonSubTypes.Type(value = BitmigStep.Remove.class, name = "remove")})
sealed interface BitmigStep {

    /** A fresh image of {@code size} bytes with clusters of {@code 2^clusterBits} bytes. */
    record Create(long size, int clusterBits) implements BitmigStep {
    }

    /** Stores bitmaps (a whole-directory rewrite; an existing name is replaced), then sets the IN_USE ones. */
    record Store(List<Entry> entries) implements BitmigStep {
    }

    /** Rewrites one entry's flags in place. */
    record SetFlags(String name, boolean inUse, boolean auto) implements BitmigStep {
    }

    /** Removes one entry. */
    record Remove(String name) implements BitmigStep {
    }

    /** A bitmap to store; its bits are drawn from {@code contents} for the disk's number of granules. */
    record Entry(String name, int granularityBits, boolean enabled, boolean inUse, Contents contents) {
    }

    /** How a bitmap's bits are drawn: a shape and a seed. */
    record Contents(Shape shape, long seed) {
    }

    enum Shape { EMPTY, FULL, SPARSE, DENSE, RUNS, EDGES }
}
