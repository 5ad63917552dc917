package dev.bitmig.model;

import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Violation classes say where the under-reporting copy lives, whose write it missed and when, and how it ended. */
class ViolationClassesTest {
    private static final Action ADD_A = new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, false);
    private static final Action WAIT = new Action.Launch(NodeId.TARGET, true);

    @Test
    void everyTruthClusterRemembersWhoWroteItLastAndInWhichWindow() {
        Story s = Story.of(Policies.QEMU_10_0, 3).then(ADD_A, WAIT,
                new Action.GuestWrite(NodeId.SOURCE, 0, 2), new Action.MigrateStart(true),
                new Action.Inactivate(NodeId.SOURCE), new Action.ForeignWrite(Action.Writer.AWARE, 1, 1));
        Lineage l = s.world().ghost().lineage(s.source().bitmap("a").get().lineage());
        assertThat(l.truth().toJavaList()).containsExactly(0, 1);
        assertThat(l.origins().get(0).get()).isEqualTo(new Origin(Origin.Author.SOURCE_GUEST,
                Origin.Stage.NO_MIGRATION, Origin.Presence.ACTIVE, Origin.Presence.INACTIVE));
        assertThat(l.origins().get(1).get()).isEqualTo(new Origin(Origin.Author.AWARE_TOOL,
                Origin.Stage.HANDED_OVER, Origin.Presence.INACTIVE, Origin.Presence.INACTIVE));
    }

    @Test
    void theThreadsHeadlineIsATargetCopyMissingAToolsWriteBetweenHandoverAndCompletion() {
        Story s = Story.of(Policies.QEMU_10_0, 3).then(ADD_A, WAIT, new Action.MigrateStart(true),
                new Action.Inactivate(NodeId.SOURCE), new Action.ForeignWrite(Action.Writer.AWARE, 0, 1),
                new Action.MigrateComplete());
        var classes = ViolationClasses.of(Invariant.NO_UNDER_REPORT, s.world(), s.geometry());
        assertThat(classes.map(ViolationClass::name).toJavaList())
                .containsExactly("target-ram/persistent/aware-tool/this-inactive@handed-over/completed");
        assertThat(ViolationClasses.message(classes.head(), null, null, s.world(), s.geometry()))
                .isEqualTo("bitmap 'a' on the target (granularity 1) does not report clusters {0} that changed while it "
                        + "was meant to record");
    }

    @Test
    void twoMissedWritesOfDifferentOriginsAreTwoClasses() {
        Story s = Story.of(Policies.QEMU_10_0, 3).then(ADD_A, WAIT, new Action.MigrateStart(true),
                new Action.Inactivate(NodeId.SOURCE), new Action.ForeignWrite(Action.Writer.AWARE, 0, 1),
                new Action.ForeignWrite(Action.Writer.UNAWARE, 2, 1), new Action.MigrateComplete());
        assertThat(ViolationClasses.of(Invariant.NO_UNDER_REPORT, s.world(), s.geometry()).map(ViolationClass::name)
                .toJavaList()).containsExactly(
                "target-ram/persistent/aware-tool/this-inactive@handed-over/completed",
                "target-ram/persistent/unaware-tool/this-inactive@handed-over/completed");
    }

    @Test
    void aWorldThatKeepsAnInvariantHasNoClassOfIt() {
        Story s = Story.of(Policies.QEMU_10_0, 3).then(ADD_A, new Action.GuestWrite(NodeId.SOURCE, 0, 1));
        for (Invariant i : Invariant.values()) {
            assertThat(ViolationClasses.of(i, s.world(), s.geometry())).as(i.title()).isEmpty();
        }
    }

    @Test
    void aSilentLossIsClassedByItsStepTheCopiesItLeftAndTheMigrationsStage() {
        Story s = Story.of(Policies.QEMU_10_0, 3).then(ADD_A, WAIT, new Action.MigrateStart(true));
        World before = s.world();
        Action quit = new Action.Quit(NodeId.SOURCE);
        s.then(quit);
        var lost = ViolationClasses.lost(before, quit, s.world());
        assertThat(lost.map(ViolationClass::name).toJavaList())
                .containsExactly("quit-source/source-ram-skip_store+target-ram-incoming/before-handover");
        assertThat(lost.head().description()).contains("block/qcow2-bitmap.c").contains("skip_store");
        assertThat(lost.head().forBackupTools()).startsWith("For a backup tool");
        assertThat(ViolationClasses.message(lost.head(), before, quit, s.world(), s.geometry())).contains("'a' is gone");
    }

    @Test
    void twoWritersAreClassedByThePair() {
        Node writer = new Node(RunState.RUNNING, BlockState.ACTIVE, false, io.vavr.collection.TreeMap.empty());
        World w = World.initial(new Geometry(3)).withNode(NodeId.TARGET, writer);
        assertThat(ViolationClasses.of(Invariant.SINGLE_WRITER, w, new Geometry(3)).map(ViolationClass::name).toJavaList())
                .containsExactly("source+target");
        World unlocked = World.initial(new Geometry(3)).withImage(World.initial(new Geometry(3)).image()
                .withOwner(io.vavr.control.Option.none()));
        assertThat(ViolationClasses.of(Invariant.SINGLE_WRITER, unlocked, new Geometry(3)).map(ViolationClass::name)
                .toJavaList()).containsExactly("source-without-lock");
    }

    @Test
    void aClassNameJoinsItsPartsAndItsExplanationEndsWithTheBackupSentence() {
        ViolationClass c = new ViolationClass(Invariant.NO_UNDER_REPORT, List.of(ClassText.copyOnImage(),
                ClassText.persistence(true)));
        assertThat(c.name()).isEqualTo("image-entry/persistent");
        assertThat(c.explanation()).startsWith(c.description()).endsWith(c.forBackupTools());
        assertThat(c.forBackupTools()).contains("loads this entry as valid");
        assertThat(c.toString()).isEqualTo("NoUnderReport image-entry/persistent");
    }
}
