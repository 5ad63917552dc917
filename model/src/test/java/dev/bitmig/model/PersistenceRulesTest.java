package dev.bitmig.model;

import dev.bitmig.model.scenario.ThreadScenarios;
import io.vavr.collection.TreeMap;

import java.util.List;
import io.vavr.control.Either;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.Action.FailPoint.AFTER_HANDOVER;
import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** How bitmaps move between RAM and the image (R2, R3, R12 of block/qcow2-bitmap.c) and what a lost one is called. */
class PersistenceRulesTest {

    private static Story prelude(Policy p) {
        return Story.of(p, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE);
    }

    @Test
    void inactivationStoresThePersistentBitmapsAndReleasesThemWhileTransientOnesStay() {
        // R2, qcow2_inactivate -> qcow2_store_persistent_dirty_bitmaps(release_stored = true)
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "p", 1, true, false),
                new Action.BitmapAdd(SOURCE, "t", 1, false, false), new Action.GuestWrite(SOURCE, 0, 1),
                new Action.Stop(SOURCE), new Action.Inactivate(SOURCE));
        assertThat(s.source().bitmaps().keySet().toJavaList()).containsExactly("t");
        StoredBitmap p = s.entry("p");
        assertThat(p.inUse()).isFalse();
        assertThat(p.auto()).isTrue();
        assertThat(p.granules().toJavaList()).containsExactly(0);
    }

    @Test
    void aReadOnlyOpenLoadsReadonlyBitmapsAndLeavesTheirEntriesUnmarked() {
        // qcow2_load_dirty_bitmaps: on a read-only image the bitmaps are readonly and IN_USE is not written
        Story ro = prelude(Policies.QEMU_10_0).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true));
        assertThat(ro.bitmap(SOURCE, "a").readonly()).isTrue();
        assertThat(ro.entry("a").inUse()).isFalse();
        Story rw = prelude(Policies.QEMU_10_0).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, false));
        assertThat(rw.bitmap(SOURCE, "a").readonly()).isFalse();
        assertThat(rw.entry("a").inUse()).isTrue();
    }

    /**
     * A running source holding persistent bitmap x while the image holds a consistent entry x of another bitmap. The
     * image lock keeps every history of actions from producing it (the entry would have been loaded, or the load
     * refused), so it is built by hand: it pins what every storing path does when the store fails.
     */
    private static World foreignEntryClash() {
        World w = World.initial(new Geometry(4));
        return w.withNode(SOURCE, w.source().withBitmap("x", Bitmap.added(1, 1).withPersistent(true)))
                .withImage(w.image().withDirectory(TreeMap.of("x", new StoredBitmap(1, false, true, Granules.NONE, 2))))
                .withGhost(Ghost.EMPTY.born(1, true, true).born(2, true, true));
    }

    @Test
    void aStoreNeverOverwritesAnEntryItDoesNotOwn() {
        // qcow2_store_persistent_dirty_bitmaps: a same-named entry without IN_USE fails the whole store
        Either<String, World> stored = Persistence.store(foreignEntryClash(), SOURCE, true);
        assertThat(stored.getLeft()).isEqualTo("Bitmap 'x' already exists in the image");
    }

    @Test
    void aFailedStoreOnQuitLosesThePersistentBitmapsWithAVisibleMessage() {
        // qcow2_do_close: "Lost persistent bitmaps during inactivation" and the bitmaps are gone
        Story s = Story.from(Policies.QEMU_10_0, 4, foreignEntryClash()).then(new Action.Quit(SOURCE));
        assertThat(s.world().losses().toJavaList()).containsExactly(new Loss(1, "x", Cause.STORE_FAILED, false));
        assertThat(Invariant.NO_SILENT_LOSS.holds(s.world(), s.geometry())).isTrue();
        assertThat(s.entry("x").lineage()).isEqualTo(2);
        assertThat(s.source()).isEqualTo(Node.OFF);
    }

    @Test
    void aFailedStoreOnQuitExplainsOnlyThePersistentBitmaps() {
        // y was meant to be persistent, but (as QEMU 2.12's migration setup does) its persistent flag is cleared: it is
        // not among the "Lost persistent bitmaps", so losing it at quit stays silent (the thread's bug H1).
        World w = foreignEntryClash();
        World depersisted = w.withNode(SOURCE, w.source().withBitmap("y", Bitmap.added(1, 3)))
                .withGhost(w.ghost().born(3, true, true));
        Story s = Story.from(Policies.QEMU_2_12, 4, depersisted).then(new Action.Quit(SOURCE));
        assertThat(s.world().losses().toJavaList()).containsExactly(new Loss(1, "x", Cause.STORE_FAILED, false),
                new Loss(3, "y", Cause.SILENT, false));
        assertThat(Invariant.NO_SILENT_LOSS.holds(s.world(), s.geometry())).isFalse();
    }

    /**
     * migration/savevm.c qemu_savevm_state_complete_precopy: "bdrv_inactivate_all() failed" fails the migration at
     * the handover; the incoming QEMU exits on the broken stream and the source keeps its node and its bitmaps.
     */
    @Test
    void aFailedStoreAtHandoverFailsTheMigrationAndTheSourceKeepsItsBitmaps() {
        String lost = "Lost persistent bitmaps during inactivation of node 'drive0': Bitmap 'x' already exists in the image";
        List<Action> handovers = List.of(new Action.Inactivate(SOURCE), new Action.MigrateComplete(),
                new Action.MigrateFail(AFTER_HANDOVER));
        for (Action handover : handovers) {
            Story s = Story.from(Policies.QEMU_10_0, 4, foreignEntryClash())
                    .then(new Action.Launch(TARGET, true), new Action.MigrateStart(false), handover);
            assertThat(s.world().migration().phase()).as(handover.kind()).isEqualTo(Phase.FAILED);
            assertThat(s.world().migration().error().toJavaOptional()).as(handover.kind()).contains(lost);
            assertThat(s.world().target()).as(handover.kind()).isEqualTo(Node.OFF);
            assertThat(s.world().source().isActive()).as(handover.kind()).isTrue();
            assertThat(s.world().source().bitmaps().containsKey("x")).as(handover.kind()).isTrue();
            assertThat(s.world().losses().isEmpty()).as(handover.kind()).isTrue();
        }
    }

    @Test
    void removingAPersistentBitmapRewritesTheDirectoryAndIsAVisibleLoss() {
        Story s = prelude(Policies.QEMU_10_0).then(new Action.BitmapRemove(SOURCE, "a"));
        assertThat(s.world().image().directory().containsKey("a")).isFalse();
        assertThat(s.world().losses().map(Loss::cause).toJavaList()).containsExactly(Cause.REMOVED);
        assertThat(Invariant.NO_SILENT_LOSS.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void eachBitmapLostToACrashIsNamedAfterItsCopyInRam() {
        Story s = prelude(Policies.QEMU_10_0).then(new Action.BitmapAdd(SOURCE, "b", 1, true, false),
                new Action.Crash(SOURCE));
        assertThat(s.world().losses().map(Loss::bitmap).toJavaList()).containsExactly("a", "b");
        assertThat(s.world().losses().map(Loss::cause).distinct().toJavaList()).containsExactly(Cause.CRASH);
    }

    @Test
    void eachBitmapLostToAnUnawareWriterIsNamedAfterItsImageEntry() {
        // docs/interop/qcow2.txt: clearing autoclear bit 0 invalidates the whole bitmaps extension
        Story s = prelude(Policies.QEMU_10_0).then(new Action.BitmapAdd(SOURCE, "b", 1, true, false),
                new Action.Quit(SOURCE), new Action.ForeignWrite(Action.Writer.UNAWARE, 0, 1));
        assertThat(s.world().losses().map(Loss::bitmap).toJavaList()).containsExactly("a", "b");
        assertThat(s.world().losses().map(Loss::cause).distinct().toJavaList()).containsExactly(Cause.UNAWARE_WRITER);
    }

    @Test
    void qemu212ReleasesEveryPersistentBitmapAtInactivationEvenAnInconsistentOne() {
        // 2.10-3.0 bdrv_release_persistent_dirty_bitmaps after the store
        // 2.12 had no blockdev-set-active: the source inactivates when a migration (without bitmaps) hands over.
        Story old = prelude(Policies.QEMU_2_12).then(new Action.Crash(SOURCE), new Action.Launch(SOURCE, false),
                new Action.MigrateStart(false), new Action.Inactivate(SOURCE));
        assertThat(old.source().bitmaps().isEmpty()).isTrue();
        // Upstream releases only what it stored: the inconsistent bitmap stays in RAM.
        Story upstream = prelude(Policies.QEMU_10_0).then(new Action.Crash(SOURCE), new Action.Launch(SOURCE, false),
                new Action.MigrateStart(false), new Action.Inactivate(SOURCE));
        assertThat(upstream.bitmap(SOURCE, "a").inconsistent()).isTrue();
    }

    @Test
    void qemu212ClearsThePersistentFlagOfTheMigratedPersistentBitmapsOnly() {
        // 2.12 migration/block-dirty-bitmap.c: "persistance flag is dropped for all migrated bitmaps"
        Story s = prelude(Policies.QEMU_2_12).then(new Action.BitmapAdd(SOURCE, "t", 1, false, false),
                new Action.MigrateStart(true));
        assertThat(s.world().migration().riding().toJavaList()).containsExactly("a", "t");
        assertThat(Qemu212Policy.Depersisted.in(s.world()).toJavaList()).containsExactly("a");
        assertThat(s.bitmap(SOURCE, "a").persistent()).isFalse();
        assertThat(s.bitmap(SOURCE, "a").busy()).isTrue();
    }

    @Test
    void repersistOnInvalidateRestoresThePersistentFlagOnTheSourceOnly() {
        // Fix [1] acts on the source's invalidate; the target's activation at completion leaves the record alone.
        Story s = prelude(Policies.REPERSIST_ON_INVALIDATE).then(new Action.MigrateStart(true), new Action.MigrateComplete());
        assertThat(Qemu212Policy.Depersisted.in(s.world()).toJavaList()).containsExactly("a");
        s.then(new Action.Crash(TARGET), new Action.Cont(SOURCE));
        assertThat(s.bitmap(SOURCE, "a").persistent()).isTrue();
        assertThat(Qemu212Policy.Depersisted.in(s.world()).isEmpty()).isTrue();
    }

    @Test
    void dropOnInactivateRecordsEachDroppedBitmapAsItsOwnDocumentedLoss() {
        // Both bitmaps still reported all their truth when dropped: the losses are needless.
        Story s = prelude(Policies.DROP_ON_INACTIVATE).then(new Action.BitmapAdd(SOURCE, "b", 1, true, false),
                new Action.MigrateStart(true), new Action.Inactivate(SOURCE));
        assertThat(s.world().losses().map(Loss::bitmap).toJavaList()).containsExactly("a", "b");
        assertThat(s.world().losses().map(Loss::cause).distinct().toJavaList()).containsExactly(Cause.POLICY_DROP);
        assertThat(s.world().losses().map(Loss::needless).distinct().toJavaList()).containsExactly(true);
        assertThat(s.source().bitmaps().isEmpty()).isTrue();
    }
}
