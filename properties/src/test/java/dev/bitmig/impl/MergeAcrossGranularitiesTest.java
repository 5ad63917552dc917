package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.BitmapMerge;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Policies;
import dev.bitmig.model.World;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** block-dirty-bitmap-merge: ORs the sources into the target, regraining across granularities (hbitmap_merge). */
class MergeAcrossGranularitiesTest {
    /** 15 clusters: at a granularity of 2 the last granule (7) covers cluster 14 only. */
    private static final Geometry ODD = new Geometry(15);

    /** "a" (1 cluster) records clusters 3, 7 and 9 and is merged into the disabled "b" (2 clusters); "d" into "c". */
    private static final List<Action> MERGE = Arrays.asList(new BitmapAdd(SOURCE, "a", 1, false, false),
            new BitmapAdd(SOURCE, "b", 2, false, true), new BitmapAdd(SOURCE, "c", 1, false, true),
            new GuestWrite(SOURCE, 3, 1), new GuestWrite(SOURCE, 7, 1), new BitmapAdd(SOURCE, "d", 1, false, false),
            new GuestWrite(SOURCE, 9, 1), new BitmapMerge(SOURCE, "b", io.vavr.collection.List.of("a")),
            new BitmapMerge(SOURCE, "c", io.vavr.collection.List.of("d")));

    @Test
    void mergingRegrainsTheSourceGranulesAndOrsSameGranularityBits() {
        Lockstep run = new Lockstep(Policies.QEMU_10_0, ODD, Set.of());
        assertThat(run.run(MERGE)).isNull();
        World w = Abstraction.of(run.impl);
        assertThat(w.source().bitmap("b").get().granules()).containsExactly(1, 3, 4);
        assertThat(w.source().bitmap("c").get().granules()).containsExactly(9);
    }

    @Test
    void withTheFaultTheGranuleIndexesAreCopiedAsTheyAreAndTheLastOneIsCutAtTheDiskEnd() {
        ImplSystem impl = new ImplSystem(Policies.QEMU_10_0, ODD, Set.of(Fault.MERGE_IGNORES_GRANULARITY));
        MERGE.forEach(a -> assertThat(ImplDriver.step(impl, a).isRejected()).as(a.toString()).isFalse());
        // Granule 3 of "a" becomes granule 3 of "b" (clusters 6-7), granule 7 the partial last granule 7 (cluster 14),
        // and granule 9 would start past the disk end (cluster 18), so it is left out.
        assertThat(Abstraction.of(impl).source().bitmap("b").get().granules()).containsExactly(3, 7);
        assertThat(Abstraction.of(impl).source().bitmap("c").get().granules()).containsExactly(9);
    }

    @Test
    void withTheFaultAGranuleStartingExactlyAtTheDiskEndIsLeftOutEvenUnderTheZeroLengthFault() {
        // Granule 8 of a one-cluster bitmap becomes item 16 clusters of "b": exactly the end of a 16-cluster disk.
        // A zero-length set there would mark granule 7 under H12; the merge must not issue one.
        ImplSystem impl = new ImplSystem(Policies.QEMU_10_0, new Geometry(16),
                Set.of(Fault.MERGE_IGNORES_GRANULARITY, Fault.HBITMAP_ZERO_LENGTH_SET));
        Arrays.asList(new BitmapAdd(SOURCE, "a", 1, false, false), new BitmapAdd(SOURCE, "b", 2, false, true),
                new GuestWrite(SOURCE, 8, 1), new BitmapMerge(SOURCE, "b", io.vavr.collection.List.of("a")))
                .forEach(a -> assertThat(ImplDriver.step(impl, a).isRejected()).as(a.toString()).isFalse());
        assertThat(Abstraction.of(impl).source().bitmap("b").get().granules()).isEmpty();
    }
}
