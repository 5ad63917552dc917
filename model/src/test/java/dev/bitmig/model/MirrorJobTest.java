package dev.bitmig.model;

import io.vavr.collection.TreeSet;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** The active mirror job and its anonymous dirty bitmap (block/mirror.c, blockdev.c; QEMU bug H11, fixed in 4.2). */
class MirrorJobTest {
    private static final Geometry G = new Geometry(5);
    private static final Spec SPEC = new Spec(Policies.QEMU_10_0, G);

    private static World run(World w, Action... actions) {
        return Story.from(Policies.QEMU_10_0, G.clusters(), w).then(actions).world();
    }

    private static Mirror job(World w, NodeId id) {
        return w.node(id).mirror().get();
    }

    private static io.vavr.collection.SortedSet<Integer> stale(World w, NodeId id) {
        return w.ghost().lineage(job(w, id).lineage()).truth();
    }

    @Test
    void aFullMirrorStartsWithEveryGranuleToCopy() {
        World w = run(World.initial(G), new Action.MirrorStart(SOURCE, 2));
        // 5 clusters at granularity 2: granules 0, 1 and the partial granule 2.
        assertThat(job(w, SOURCE).granules()).containsExactly(0, 1, 2);
        assertThat(stale(w, SOURCE)).containsExactly(0, 1, 2, 3, 4);
        assertThat(Invariant.NO_UNDER_REPORT.holds(w, G)).isTrue();
    }

    @Test
    void aWriteUnderWriteBlockingCleansOnlyTheGranulesItCoversWholly() {
        World w = run(World.initial(G), new Action.MirrorStart(SOURCE, 2), new Action.GuestWrite(SOURCE, 1, 2));
        // Clusters 1 and 2 reached both images, but granules 0 and 1 each still hold a stale cluster (0 and 3).
        assertThat(job(w, SOURCE).granules()).containsExactly(0, 1, 2);
        assertThat(stale(w, SOURCE)).containsExactly(0, 3, 4);
        World aligned = run(w, new Action.GuestWrite(SOURCE, 2, 2));
        assertThat(job(aligned, SOURCE).granules()).containsExactly(0, 2);
        assertThat(Invariant.NO_UNDER_REPORT.holds(aligned, G)).isTrue();
    }

    @Test
    void theLastPartialGranuleIsNeverAlignedDownToNothingByAWriteAtTheDiskEnd() {
        World w = run(World.initial(G), new Action.MirrorStart(SOURCE, 2), new Action.GuestWrite(SOURCE, 4, 1));
        // QEMU_ALIGN_DOWN(offset + bytes) drops the tail, so granule 2 stays to copy although cluster 4 is in sync.
        assertThat(job(w, SOURCE).granules()).containsExactly(0, 1, 2);
        assertThat(stale(w, SOURCE)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void eachBackgroundIterationCopiesTheFirstGranuleLeft() {
        World w = run(World.initial(G), new Action.MirrorStart(SOURCE, 2), new Action.MirrorCopy(SOURCE));
        assertThat(job(w, SOURCE).granules()).containsExactly(1, 2);
        assertThat(stale(w, SOURCE)).containsExactly(2, 3, 4);
        World done = run(w, new Action.MirrorCopy(SOURCE), new Action.MirrorCopy(SOURCE));
        assertThat(job(done, SOURCE).granules()).isEmpty();
        assertThat(stale(done, SOURCE)).isEmpty();
        assertThat(SPEC.apply(done, new Action.MirrorCopy(SOURCE))).isEqualTo(Outcome.next(done));
    }

    @Test
    void theJobsBitmapIsNeitherListedNorMigrated() {
        World w = run(World.initialWithIncomingTarget(G), new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.MirrorStart(SOURCE, 1), new Action.MigrateStart(true), new Action.MigrateComplete());
        assertThat(w.source().bitmaps().keySet()).containsExactly("a");
        assertThat(w.target().bitmaps().keySet()).containsExactly("a");
        assertThat(w.target().mirror()).isEmpty();
        assertThat(w.source().mirror().isDefined()).isTrue();
        assertThat(run(w, new Action.Quit(TARGET)).image().directory().keySet()).containsExactly("a");
    }

    @Test
    void theMirrorJobMissesWhatAnotherProcessWroteWhileTheSourceWasInactive() {
        World w = run(World.initialWithIncomingTarget(G), new Action.MirrorStart(SOURCE, 1),
                new Action.MirrorCopy(SOURCE), new Action.MigrateStart(true), new Action.Inactivate(SOURCE),
                new Action.ForeignWrite(Action.Writer.AWARE, 0, 1), new Action.MigrateCancel());
        assertThat(w.source().isActive()).isTrue();
        assertThat(Invariant.NO_UNDER_REPORT.violation(w, G)).contains(
                "the mirror job's dirty bitmap on the source (granularity 1) does not report clusters {0} that its "
                        + "target still lacks");
    }

    @Test
    void writesOnTheOtherNodeMakeTheMirrorStaleButNotItsOwnGuestsWrites() {
        World w = run(World.initialWithIncomingTarget(G), new Action.MirrorStart(SOURCE, 1),
                new Action.MirrorCopy(SOURCE), new Action.MirrorCopy(SOURCE), new Action.GuestWrite(SOURCE, 0, 2));
        assertThat(stale(w, SOURCE)).containsExactly(2, 3, 4);
        World migrated = run(w, new Action.MigrateStart(false), new Action.MigrateComplete(),
                new Action.GuestWrite(TARGET, 0, 1));
        assertThat(stale(migrated, SOURCE)).containsExactly(0, 2, 3, 4);
        assertThat(migrated.source().isActive()).isFalse();
    }

    @Test
    void theJobEndsWithCancelOrWithItsProcess() {
        World w = run(World.initial(G), new Action.MirrorStart(SOURCE, 2));
        assertThat(run(w, new Action.MirrorCancel(SOURCE)).source().mirror()).isEmpty();
        World quit = run(w, new Action.Quit(SOURCE));
        assertThat(quit.source().mirror()).isEmpty();
        assertThat(quit.ghost().lineages()).isEmpty();
    }

    @Test
    void mirrorCommandsAreRefusedWithQemusErrors() {
        World w = World.initial(G);
        assertThat(SPEC.apply(w, new Action.MirrorStart(SOURCE, 3)))
                .isEqualTo(Outcome.rejected("Parameter 'granularity' expects a power of 2"));
        assertThat(SPEC.apply(w, new Action.MirrorStart(SOURCE, 0)))
                .isEqualTo(Outcome.rejected("Parameter 'granularity' expects a value in range [512B, 64MB]"));
        assertThat(SPEC.apply(w, new Action.MirrorStart(SOURCE, Mirror.MAX_GRANULARITY * 2)))
                .isEqualTo(Outcome.rejected("Parameter 'granularity' expects a value in range [512B, 64MB]"));
        assertThat(SPEC.apply(w, new Action.MirrorStart(SOURCE, Mirror.MAX_GRANULARITY))).isInstanceOf(Outcome.Next.class);
        assertThat(SPEC.apply(w, new Action.MirrorCancel(SOURCE))).isEqualTo(Outcome.rejected("Block job 'mirror' not found"));
        assertThat(SPEC.apply(w, new Action.MirrorCopy(SOURCE))).isEqualTo(Outcome.rejected("Block job 'mirror' not found"));
        World running = run(w, new Action.MirrorStart(SOURCE, 1));
        assertThat(SPEC.apply(running, new Action.MirrorStart(SOURCE, 1)))
                .isEqualTo(Outcome.rejected("Node 'drive0' is busy: block device is in use by block job: mirror"));
        World inactive = run(World.initialWithIncomingTarget(G), new Action.MigrateStart(false), new Action.Inactivate(SOURCE));
        assertThat(SPEC.apply(inactive, new Action.MirrorStart(SOURCE, 1))).isEqualTo(Outcome.rejected(QemuErrors.NODE_INACTIVE));
        assertThat(SPEC.apply(w, new Action.MirrorStart(TARGET, 1))).isEqualTo(Outcome.rejected(QemuErrors.notRunning(TARGET)));
        assertThat(SPEC.apply(w, new Action.MirrorCopy(TARGET))).isEqualTo(Outcome.rejected(QemuErrors.notRunning(TARGET)));
        assertThat(SPEC.apply(w, new Action.MirrorCancel(TARGET))).isEqualTo(Outcome.rejected(QemuErrors.notRunning(TARGET)));
    }

    @Test
    void theObservableWorldErasesTheJobsLineage() {
        World w = run(World.initial(G), new Action.MirrorStart(SOURCE, 2));
        assertThat(w.observable().source().mirror().get()).isEqualTo(new Mirror(2, TreeSet.of(0, 1, 2), 0));
    }
}
