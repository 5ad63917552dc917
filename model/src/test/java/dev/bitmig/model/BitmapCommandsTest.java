package dev.bitmig.model;

import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** QMP bitmap commands reject what QEMU rejects, with QEMU's words (block/monitor/bitmap-qmp-cmds.c). */
class BitmapCommandsTest {
    private static final Geometry G = new Geometry(8);
    private static final Spec SPEC = new Spec(Policies.QEMU_10_0, G);

    private static World run(Action... actions) {
        World w = World.initial(G);
        for (Action a : actions) {
            Outcome o = SPEC.apply(w, a);
            assertThat(o).as("setup step %s", a).isInstanceOf(Outcome.Next.class);
            w = ((Outcome.Next) o).world();
        }
        return w;
    }

    private static String rejection(World w, Action a) {
        Outcome o = SPEC.apply(w, a);
        assertThat(o).isInstanceOf(Outcome.Rejected.class);
        return ((Outcome.Rejected) o).reason();
    }

    @Test
    void addingAnExistingNameFailsWithBitmapAlreadyExists() {
        World w = run(new Action.BitmapAdd(SOURCE, "b0", 1, true, false));
        assertThat(rejection(w, new Action.BitmapAdd(SOURCE, "b0", 2, false, false))).isEqualTo("Bitmap already exists: b0");
    }

    @Test
    void addingWithAnEmptyNameOrATooLongNameOrABadGranularityIsRejected() {
        World w = run();
        assertThat(rejection(w, new Action.BitmapAdd(SOURCE, "", 1, false, false))).isEqualTo("Bitmap name cannot be empty");
        String longName = "x".repeat(1024);
        assertThat(rejection(w, new Action.BitmapAdd(SOURCE, longName, 1, false, false))).isEqualTo("Bitmap name too long: " + longName);
        assertThat(rejection(w, new Action.BitmapAdd(SOURCE, "b", 3, false, false)))
                .isEqualTo("Granularity must be power of 2 and at least 512");
        assertThat(rejection(w, new Action.BitmapAdd(SOURCE, "b", 0, false, false)))
                .isEqualTo("Granularity must be power of 2 and at least 512");
    }

    @Test
    void aNameOf1023BytesIsAccepted() {
        World w = run();
        assertThat(SPEC.apply(w, new Action.BitmapAdd(SOURCE, "y".repeat(1023), 1, false, false)))
                .isInstanceOf(Outcome.Next.class);
    }

    @Test
    void removeClearEnableAndMergeOfAMissingBitmapSayNotFound() {
        World w = run(new Action.BitmapAdd(SOURCE, "a", 1, false, false));
        assertThat(rejection(w, new Action.BitmapRemove(SOURCE, "zz"))).isEqualTo("Dirty bitmap 'zz' not found");
        assertThat(rejection(w, new Action.BitmapClear(SOURCE, "zz"))).isEqualTo("Dirty bitmap 'zz' not found");
        assertThat(rejection(w, new Action.BitmapEnable(SOURCE, "zz"))).isEqualTo("Dirty bitmap 'zz' not found");
        assertThat(rejection(w, new Action.BitmapMerge(SOURCE, "a", List.of("zz")))).isEqualTo("Dirty bitmap 'zz' not found");
        assertThat(rejection(w, new Action.BitmapMerge(SOURCE, "zz", List.of("a")))).isEqualTo("Dirty bitmap 'zz' not found");
    }

    @Test
    void aBusyBitmapCannotBeRemovedClearedEnabledOrMergedInto() {
        World w = run(new Action.BitmapAdd(SOURCE, "a", 1, true, false), new Action.Launch(NodeId.TARGET, true),
                new Action.MigrateStart(true));
        String busy = "Bitmap 'a' is currently in use by another operation and cannot be used";
        assertThat(rejection(w, new Action.BitmapRemove(SOURCE, "a"))).isEqualTo(busy);
        assertThat(rejection(w, new Action.BitmapClear(SOURCE, "a"))).isEqualTo(busy);
        assertThat(rejection(w, new Action.BitmapDisable(SOURCE, "a"))).isEqualTo(busy);
        assertThat(rejection(w, new Action.BitmapMerge(SOURCE, "a", List.empty()))).isEqualTo(busy);
        assertThat(rejection(w, new Action.BitmapRemove(NodeId.TARGET, "a"))).isEqualTo(busy);
    }

    @Test
    void mergeOrsTheSourcesIntoTheTargetRoundingOutwardAcrossGranularities() {
        World w = run(new Action.BitmapAdd(SOURCE, "fine", 1, false, false),
                new Action.BitmapAdd(SOURCE, "coarse", 4, false, true),
                new Action.GuestWrite(SOURCE, 5, 1),
                new Action.BitmapMerge(SOURCE, "coarse", List.of("fine")));
        assertThat(w.source().bitmap("coarse").get().granules().toJavaList()).containsExactly(1);
    }

    @Test
    void clearEmptiesTheBitmapAndRestartsItsTruth() {
        World w = run(new Action.BitmapAdd(SOURCE, "a", 2, false, false), new Action.GuestWrite(SOURCE, 0, 3),
                new Action.BitmapClear(SOURCE, "a"));
        Bitmap a = w.source().bitmap("a").get();
        assertThat(a.granules().isEmpty()).isTrue();
        assertThat(w.ghost().lineage(a.lineage()).truth().isEmpty()).isTrue();
    }

    @Test
    void writesRoundOutwardToWholeGranulesAndOnlyEnabledBitmapsRecord() {
        World w = run(new Action.BitmapAdd(SOURCE, "on", 4, false, false),
                new Action.BitmapAdd(SOURCE, "off", 1, false, true),
                new Action.GuestWrite(SOURCE, 3, 2));
        assertThat(w.source().bitmap("on").get().granules().toJavaList()).containsExactly(0, 1);
        assertThat(w.source().bitmap("off").get().granules().isEmpty()).isTrue();
    }

    @Test
    void aZeroLengthWriteChangesNothing() {
        World before = run(new Action.BitmapAdd(SOURCE, "a", 1, false, false));
        World after = run(new Action.BitmapAdd(SOURCE, "a", 1, false, false), new Action.GuestWrite(SOURCE, 3, 0));
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aWriteToAnInactiveNodeIsNotPermittedOnQemu72() {
        Spec qemu72 = new Spec(Policies.QEMU_7_2, G);
        World w = World.initialWithIncomingTarget(G);
        for (Action a : List.of(new Action.MigrateStart(false), new Action.MigrateComplete())) {
            w = ((Outcome.Next) qemu72.apply(w, a)).world();
        }
        assertThat(qemu72.apply(w, new Action.GuestWrite(SOURCE, 0, 1)))
                .isEqualTo(Outcome.rejected("Block node is read-only"));
    }

    @Test
    void aWriteToAnInactiveNodeAbortsQemu10AndTakesItsBitmapsAlong() {
        World w = run(new Action.BitmapAdd(SOURCE, "a", 1, true, false), new Action.Inactivate(SOURCE));
        Outcome o = SPEC.apply(w, new Action.GuestWrite(SOURCE, 0, 1));
        assertThat(o).isInstanceOf(Outcome.Failed.class);
        assertThat(o.error().get()).contains("Assertion `!(bs->open_flags & BDRV_O_INACTIVE)' failed");
        World after = o.successor().get();
        assertThat(after.source().isOn()).isFalse();
        // Inactivation stored the bitmap, so the abort loses nothing: the entry is there for the next QEMU.
        assertThat(after.image().directory().containsKey("a")).isTrue();
        assertThat(after.losses().isEmpty()).isTrue();
    }

    @Test
    void contOnAnOffNodeIsRejected() {
        assertThat(rejection(run(), new Action.Cont(NodeId.TARGET))).isEqualTo("bitmig: no QEMU is running as target");
    }

    @Test
    void theCoarsestGranularityIsTwoGibibytes() {
        // The granularity is a uint32 of bytes: 2 GiB is 32768 clusters of 64 KiB; twice that is refused.
        World w = run();
        assertThat(SPEC.apply(w, new Action.BitmapAdd(SOURCE, "coarsest", 32768, false, false))).isInstanceOf(Outcome.Next.class);
        assertThat(rejection(w, new Action.BitmapAdd(SOURCE, "b", 65536, false, false)))
                .isEqualTo("Granularity must be power of 2 and at least 512");
    }
}
