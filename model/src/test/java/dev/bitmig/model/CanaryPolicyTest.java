package dev.bitmig.model;

import dev.bitmig.model.scenario.ThreadScenarios;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.Action.FailPoint.AFTER_HANDOVER;
import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread's canary proposal: at inactivation each QEMU writes its own small coarse canary (granularity 4 clusters
 * here); whoever uses the image next records into it; at activation a clean canary keeps the bitmaps held in RAM, a
 * dirty one is merged into them or drops them, and one that cannot be trusted marks them entirely dirty or drops them.
 */
class CanaryPolicyTest {
    private static final String SOURCE_CANARY = "bitmig-canary-source";

    /** The thread's prelude on an 8-cluster disk, so that one canary granule (clusters 4-7) is not the whole disk. */
    private static Story prelude(Policy p) {
        return Story.of(p, 8).then(ThreadScenarios.PRELUDE);
    }

    @Test
    void eachQemuWritesItsOwnFreshCanaryWhenItInactivates() {
        assertThat(CanaryPolicy.nameFor(SOURCE)).isEqualTo(SOURCE_CANARY);
        assertThat(CanaryPolicy.nameFor(TARGET)).isEqualTo("bitmig-canary-target");
        Story s = Story.of(Policies.CANARY_DROP, 8).then(new Action.Stop(SOURCE), new Action.Inactivate(SOURCE));
        StoredBitmap canary = s.entry(SOURCE_CANARY);
        assertThat(canary.granularity()).isEqualTo(Policies.DEFAULT_CANARY_GRANULARITY);
        assertThat(canary.auto()).isTrue();
        assertThat(canary.inUse()).isFalse();
        assertThat(canary.granules().isEmpty()).isTrue();
        assertThat(CanaryPolicy.armed(s.world(), SOURCE)).isTrue();
    }

    @Test
    void aReadOnlyQemuWritesNoCanary() {
        Story s = Story.of(Policies.CANARY_DROP, 8).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true),
                new Action.Stop(SOURCE), new Action.Inactivate(SOURCE));
        assertThat(s.world().image().directory().containsKey(SOURCE_CANARY)).isFalse();
        assertThat(CanaryPolicy.armed(s.world(), SOURCE)).isFalse();
    }

    @Test
    void inactivatingAnInactiveNodeAgainKeepsTheCanarysEvidence() {
        // bdrv_inactivate skips a node that is already inactive: no fresh canary overwrites the recorded one.
        Story s = Story.of(Policies.CANARY_DROP, 8).then(new Action.Stop(SOURCE), new Action.Inactivate(SOURCE),
                new Action.ForeignWrite(Action.Writer.AWARE, 5, 1));
        assertThat(s.entry(SOURCE_CANARY).granules().toJavaList()).containsExactly(1);
        s.then(new Action.Inactivate(SOURCE));
        assertThat(s.entry(SOURCE_CANARY).granules().toJavaList()).containsExactly(1);
    }

    @Test
    void aCleanCanaryIsRemovedAtActivationAndTheKeptBitmapsStay() {
        for (Policy p : java.util.List.of(Policies.CANARY_DROP, Policies.CANARY_MERGE)) {
            Story s = prelude(p).then(new Action.MigrateStart(true), new Action.Inactivate(SOURCE), new Action.MigrateCancel());
            assertThat(s.world().image().directory().containsKey(SOURCE_CANARY)).as(p.name()).isFalse();
            assertThat(s.bitmap(SOURCE, "a").granules().toJavaList()).as(p.name()).containsExactly(0, 1);
            assertThat(s.world().losses().isEmpty()).as(p.name()).isTrue();
        }
    }

    @Test
    void aCleanMigrationKeepsTheMigratedBitmapsOnTheTargetUntouched() {
        for (Policy p : java.util.List.of(Policies.CANARY_DROP, Policies.CANARY_MERGE)) {
            Story s = prelude(p).then(new Action.MigrateStart(true), new Action.MigrateComplete());
            assertThat(s.bitmap(TARGET, "a").granules().toJavaList()).as(p.name()).containsExactly(0, 1);
            assertThat(s.world().losses().isEmpty()).as(p.name()).isTrue();
        }
    }

    @Test
    void aToolWritingBeforeCompletionIsMergedIntoTheMigratedBitmapsOnTheTarget() {
        // The tool's write at cluster 5 dirtied canary granule 1, i.e. clusters 4-7 at a's granularity.
        Story s = prelude(Policies.CANARY_MERGE).then(new Action.MigrateStart(true), new Action.Inactivate(SOURCE),
                new Action.ForeignWrite(Action.Writer.AWARE, 5, 1), new Action.MigrateComplete());
        assertThat(s.bitmap(TARGET, "a").granules().toJavaList()).containsExactly(0, 1, 4, 5, 6, 7);
        assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void aToolWritingBeforeCompletionDropsOnlyTheMigratedBitmapsOnTheTargetUnderCanaryDrop() {
        Story s = prelude(Policies.CANARY_DROP).then(new Action.BitmapAdd(TARGET, "own", 1, false, false),
                new Action.MigrateStart(true), new Action.Inactivate(SOURCE),
                new Action.ForeignWrite(Action.Writer.AWARE, 5, 1), new Action.MigrateComplete());
        // The migrated a is dropped; what is left under its name is its stale IN_USE entry, loaded inconsistent (R3).
        assertThat(s.bitmap(TARGET, "a").inconsistent()).isTrue();
        assertThat(s.bitmap(TARGET, "own").inconsistent()).isFalse();
    }

    @Test
    void aDirtyCanaryDropsTheKeptBitmapAndTheDocumentedLossIsNotNeedless() {
        // a misses the tool's write at cluster 3, so dropping it was necessary.
        Story s = prelude(Policies.CANARY_DROP).then(new Action.MigrateStart(true), new Action.Inactivate(SOURCE),
                new Action.ForeignWrite(Action.Writer.AWARE, 3, 1), new Action.MigrateFail(AFTER_HANDOVER));
        assertThat(s.bitmap(SOURCE, "a").inconsistent()).isTrue();
        assertThat(s.world().losses().size()).isEqualTo(1);
        Loss loss = s.world().losses().head();
        assertThat(loss.bitmap()).isEqualTo("a");
        assertThat(loss.cause()).isEqualTo(Cause.POLICY_DROP);
        assertThat(loss.needless()).isFalse();
    }

    @Test
    void aDirtyCanaryIsMergedIntoTheKeptBitmapUnderCanaryMerge() {
        Story s = prelude(Policies.CANARY_MERGE).then(new Action.MigrateStart(true), new Action.Inactivate(SOURCE),
                new Action.ForeignWrite(Action.Writer.AWARE, 5, 1), new Action.MigrateFail(AFTER_HANDOVER));
        assertThat(s.bitmap(SOURCE, "a").granules().toJavaList()).containsExactly(0, 1, 4, 5, 6, 7);
        assertThat(s.world().losses().isEmpty()).isTrue();
    }

    @Test
    void anUntrustedCanaryMarksEveryGranuleOfTheKeptBitmapsDirty() {
        // The target loaded the source's canary (IN_USE) and was killed: nobody knows what it wrote. On 8 clusters a
        // bitmap of granularity 4 has ceil(8/4) = 2 granules.
        Story merge = Story.of(Policies.CANARY_MERGE, 8).then(new Action.BitmapAdd(SOURCE, "t", 4, false, false),
                new Action.GuestWrite(SOURCE, 0, 1), new Action.Stop(SOURCE), new Action.Inactivate(SOURCE),
                new Action.Launch(TARGET, false), new Action.Crash(TARGET), new Action.Activate(SOURCE));
        assertThat(merge.bitmap(SOURCE, "t").granules().toJavaList()).containsExactly(0, 1);
        Story drop = Story.of(Policies.CANARY_DROP, 8).then(new Action.BitmapAdd(SOURCE, "t", 4, false, false),
                new Action.GuestWrite(SOURCE, 0, 1), new Action.Stop(SOURCE), new Action.Inactivate(SOURCE),
                new Action.Launch(TARGET, false), new Action.Crash(TARGET), new Action.Activate(SOURCE));
        assertThat(drop.source().bitmaps().containsKey("t")).isFalse();
    }

    @Test
    void aKeptBitmapGivesWayToTheNewerEntryTheTargetStored() {
        // The target wrote cluster 2 and quit, storing a; cont on the source takes the image's copy, not its stale one.
        for (Policy p : java.util.List.of(Policies.CANARY_DROP, Policies.CANARY_MERGE)) {
            Story s = prelude(p).then(new Action.MigrateStart(true), new Action.MigrateComplete(),
                    new Action.GuestWrite(TARGET, 2, 1), new Action.Quit(TARGET), new Action.Cont(SOURCE));
            assertThat(s.source().run()).as(p.name()).isEqualTo(RunState.RUNNING);
            assertThat(s.bitmap(SOURCE, "a").granules().toJavaList()).as(p.name()).containsExactly(0, 1, 2);
            assertThat(Invariant.NO_UNDER_REPORT.holds(s.world(), s.geometry())).as(p.name()).isTrue();
        }
    }

    @Test
    void anInconsistentKeptBitmapIsNotMergedInto() {
        // An inconsistent bitmap holds no data to correct (qcow2-bitmap.c): only remove works on it.
        Story s = prelude(Policies.CANARY_MERGE).then(new Action.Crash(SOURCE), new Action.Launch(SOURCE, false),
                new Action.Stop(SOURCE), new Action.Inactivate(SOURCE), new Action.ForeignWrite(Action.Writer.AWARE, 5, 1),
                new Action.Activate(SOURCE));
        Bitmap a = s.bitmap(SOURCE, "a");
        assertThat(a.inconsistent()).isTrue();
        assertThat(a.granules().isEmpty()).isTrue();
    }

    @Test
    void aBitmapUnderTheReservedCanaryPrefixIsNeverJudgedAsAKeptBitmap() {
        Story s = Story.of(Policies.CANARY_DROP, 8).then(new Action.BitmapAdd(SOURCE, "t", 1, false, false),
                new Action.BitmapAdd(SOURCE, CanaryPolicy.NAME + "-x", 1, false, false), new Action.Stop(SOURCE),
                new Action.Inactivate(SOURCE), new Action.ForeignWrite(Action.Writer.AWARE, 5, 1),
                new Action.Activate(SOURCE));
        assertThat(s.source().bitmaps().keySet().toJavaList()).containsExactly(CanaryPolicy.NAME + "-x");
    }

    /**
     * The source keeps a stale, inconsistent copy of the target's canary (loaded from an IN_USE entry after a crash);
     * the target later writes a fresh one. The image's copy is newer, so the stale one gives way at activation instead
     * of clashing with it ("Bitmap already exists").
     */
    @Test
    void aStaleCopyOfTheOtherQemusCanaryGivesWayToItsFreshOne() {
        for (Policy p : io.vavr.collection.List.of(Policies.CANARY_DROP, Policies.CANARY_MERGE)) {
            String theirs = CanaryPolicy.nameFor(TARGET);
            Story s = Story.of(p, 4).then(new Action.Launch(TARGET, true), new Action.MigrateStart(true),
                    new Action.MigrateComplete(), new Action.Stop(TARGET), new Action.Inactivate(TARGET),
                    new Action.Cont(SOURCE), new Action.Crash(SOURCE), new Action.Launch(SOURCE, false));
            assertThat(s.bitmap(SOURCE, theirs).inconsistent()).as(p.name()).isTrue();
            s.then(new Action.Stop(SOURCE), new Action.Inactivate(SOURCE), new Action.Cont(TARGET), new Action.Stop(TARGET),
                    new Action.Inactivate(TARGET), new Action.Cont(SOURCE));
            assertThat(s.source().isActive()).as(p.name()).isTrue();
            assertThat(s.bitmap(SOURCE, theirs).inconsistent()).as(p.name()).isFalse();
        }
    }

    /**
     * This node's own canary is the one name exempt from "a newer entry supersedes the copy in RAM": a bitmap the user
     * added under that name while the node was inactive stays, because activation removes the canary's entry instead.
     */
    @Test
    void aBitmapNamedLikeTheNodesOwnCanaryIsNotSupersededByTheCanarysEntry() {
        String own = CanaryPolicy.nameFor(SOURCE);
        Story s = Story.of(Policies.CANARY_DROP, 4).then(new Action.Stop(SOURCE), new Action.Inactivate(SOURCE),
                new Action.BitmapAdd(SOURCE, own, 2, false, false));
        assertThat(s.entry(own).inUse()).isFalse();
        s.then(new Action.Activate(SOURCE));
        assertThat(s.bitmap(SOURCE, own).granularity()).isEqualTo(2);
        assertThat(s.world().image().directory().containsKey(own)).isFalse();
    }
}
