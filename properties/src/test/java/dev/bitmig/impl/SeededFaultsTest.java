package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.BitmapClear;
import dev.bitmig.model.Action.BitmapMerge;
import dev.bitmig.model.Action.BitmapRemove;
import dev.bitmig.model.Action.Crash;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateComplete;
import dev.bitmig.model.Action.MigrateFail;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Action.MirrorCopy;
import dev.bitmig.model.Action.MirrorStart;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import dev.bitmig.model.Action.Backup;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Phase;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** One short sequence per seeded fault: correct, the implementation agrees with the model; with the fault, it does not. */
class SeededFaultsTest {
    private static final Geometry SMALL = new Geometry(16);
    private static final Policy UPSTREAM = Policies.QEMU_10_0;

    private static List<Action> seq(Action... actions) {
        return Arrays.asList(actions);
    }

    /** Returns the divergence the fault causes, after checking that the correct implementation agrees. */
    private static String diverges(Fault fault, Policy policy, Geometry g, List<Action> actions) {
        assertThat(new Lockstep(policy, g, Set.of()).run(actions)).as("without the fault").isNull();
        String d = new Lockstep(policy, g, Set.of(fault)).run(actions);
        assertThat(d).as("with " + fault).isNotNull();
        return d;
    }

    @Test
    void h1SkipStoreSurvivesTheSourcesReactivationAfterAFailedMigration() {
        String d = diverges(Fault.H1_SKIP_STORE_NOT_RESET_ON_ACTIVATION, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, true, false), new Launch(TARGET, true), new MigrateStart(true),
                new MigrateFail(Action.FailPoint.AFTER_HANDOVER)));
        assertThat(d).startsWith("step 4");
    }

    @Test
    void h2TheTargetLosesItsDiskBecauseOfItsOwnMigratedBitmap() {
        List<Action> actions = seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false), new Launch(TARGET, true), new MigrateStart(true), new MigrateComplete(),
                new Action.Activate(TARGET));
        diverges(Fault.H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP, UPSTREAM, SMALL, actions);
        ImplSystem impl = new ImplSystem(UPSTREAM, SMALL, Set.of(Fault.H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP));
        for (Action a : actions) {
            ImplDriver.step(impl, a);
        }
        // The completion's activation fails on the clash (reported on stderr) and ejects the target's node (D4).
        assertThat(Abstraction.of(impl).target().block()).isEqualTo(dev.bitmig.model.BlockState.EJECTED);
    }

    @Test
    void h4AReadOnlyOpenKeepsItsReadonlyBitmapsAfterInactivation() {
        diverges(Fault.H4_READONLY_BITMAPS_NOT_RELEASED, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE), new Launch(SOURCE, false, true),
                new Stop(SOURCE), new Inactivate(SOURCE)));
    }

    @Test
    void h6ADisabledMigratedBitmapStaysBusyOnTheTarget() {
        String d = diverges(Fault.H6_DISABLED_MIGRATING_BITMAP_NOT_FINISHED, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, false, true), new Launch(TARGET, true), new MigrateStart(true),
                new MigrateComplete()));
        assertThat(d).startsWith("step 4");
    }

    @Test
    void h10ATwoGibGranularityMigrationFailsWhereTheModelCompletes() {
        List<Action> actions = seq(new BitmapAdd(SOURCE, "a", 32768, false, false), new GuestWrite(SOURCE, 0, 1),
                new Launch(TARGET, true), new MigrateStart(true), new MigrateComplete());
        diverges(Fault.H10_CHUNK_SIZE_32BIT_OVERFLOW, UPSTREAM, SMALL, actions);
        ImplSystem impl = new ImplSystem(UPSTREAM, SMALL, Set.of(Fault.H10_CHUNK_SIZE_32BIT_OVERFLOW));
        actions.forEach(act -> ImplDriver.step(impl, act));
        assertThat(Abstraction.of(impl).migration().phase()).isEqualTo(Phase.FAILED);
    }

    @Test
    void hbitmapStaleSummaryLevelsHideAWriteAfterAClear() {
        diverges(Fault.HBITMAP_UPPER_LEVEL_NOT_CLEARED_ON_RESET, UPSTREAM, new Geometry(256), seq(
                new BitmapAdd(SOURCE, "a", 1, false, false), new GuestWrite(SOURCE, 100, 1),
                new BitmapClear(SOURCE, "a"), new GuestWrite(SOURCE, 200, 1)));
    }

    @Test
    void hbitmapOvercountShowsABogusGranuleAfterTwoWritesToTheSameCluster() {
        diverges(Fault.HBITMAP_COUNT_OFF_AFTER_OVERLAPPING_SET, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, false, false), new GuestWrite(SOURCE, 0, 1), new GuestWrite(SOURCE, 0, 1)));
    }

    @Test
    void hbitmapSerializationLosesTheStoredBitsOfASmallDisk() {
        diverges(Fault.HBITMAP_SERIALIZE_DROPS_LAST_PARTIAL_WORD, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, true, false), new GuestWrite(SOURCE, 0, 1), new Quit(SOURCE)));
    }

    @Test
    void h12AZeroLengthWriteMarksTheClusterBeforeIt() {
        diverges(Fault.HBITMAP_ZERO_LENGTH_SET, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, false, false), new GuestWrite(SOURCE, 1, 0)));
    }

    /** H11: a one-cluster guest write under a write-blocking mirror of granularity 2 clears the whole granule. */
    @Test
    void h11AnActiveMirrorWriteForgetsTheNeighbourStillToCopy() {
        String d = diverges(Fault.HBITMAP_RESET_ROUNDS_OUTWARD, UPSTREAM, SMALL, seq(
                new MirrorStart(SOURCE, 2), new GuestWrite(SOURCE, 1, 1)));
        assertThat(d).contains("Mirror[granularity=2");
    }

    /** Resets that cover whole granules (clear, backup, an aligned active write) are the same with and without H11. */
    @Test
    void h11LeavesResetsOfWholeGranulesAlone() {
        List<Action> actions = seq(new BitmapAdd(SOURCE, "a", 4, false, false), new GuestWrite(SOURCE, 1, 1),
                new GuestWrite(SOURCE, 13, 2), new Backup(SOURCE, "a"), new GuestWrite(SOURCE, 5, 1),
                new BitmapClear(SOURCE, "a"), new MirrorStart(SOURCE, 2), new GuestWrite(SOURCE, 2, 2),
                new MirrorCopy(SOURCE), new GuestWrite(SOURCE, 14, 2));
        assertThat(new Lockstep(UPSTREAM, new Geometry(15), Set.of(Fault.HBITMAP_RESET_ROUNDS_OUTWARD)).run(actions))
                .isNull();
    }

    @Test
    void removingABitmapFromAnInactiveNodeWritesTheImage() {
        List<Action> actions = seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false), new Crash(SOURCE), new Launch(SOURCE, false), new Stop(SOURCE),
                new Inactivate(SOURCE), new BitmapRemove(SOURCE, "a"));
        diverges(Fault.STORE_WRITES_WHILE_INACTIVE, UPSTREAM, SMALL, actions);
        ImplSystem impl = new ImplSystem(UPSTREAM, SMALL, Set.of(Fault.STORE_WRITES_WHILE_INACTIVE));
        actions.forEach(act -> ImplDriver.step(impl, act));
        assertThat(impl.storeLog()).anyMatch(w -> w.fromInactiveNode());
        ImplSystem correct = new ImplSystem(UPSTREAM, SMALL, Set.of());
        actions.forEach(act -> ImplDriver.step(correct, act));
        assertThat(correct.storeLog()).noneMatch(w -> w.fromInactiveNode());
    }

    @Test
    void anOpenThatDoesNotMarkInUseLeavesTheEntriesLookingClean() {
        diverges(Fault.STORE_NO_IN_USE_ON_OPEN, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE), new Launch(SOURCE, false)));
    }

    @Test
    void mergingAcrossGranularitiesWithoutRegrainingMarksTheWrongGranule() {
        diverges(Fault.MERGE_IGNORES_GRANULARITY, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, false, false), new BitmapAdd(SOURCE, "b", 2, false, false),
                new GuestWrite(SOURCE, 3, 1), new BitmapMerge(SOURCE, "b", io.vavr.collection.List.of("a"))));
    }

    @Test
    void aTargetThatSkipsTheCanaryNeverRecordsIntoIt() {
        diverges(Fault.CANARY_NOT_RECORDED_BY_TARGET, Policies.CANARY_DROP, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, true, false), new Launch(TARGET, true), new MigrateStart(false),
                new MigrateComplete()));
    }

    @Test
    void aReclaimThatKeepsOnlyTheSuccessorLosesTheMigratedBits() {
        diverges(Fault.SUCCESSOR_NOT_MERGED_AT_COMPLETE, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, false, false), new GuestWrite(SOURCE, 0, 1), new Launch(TARGET, true),
                new MigrateStart(true), new MigrateComplete()));
    }

    @Test
    void dropOnInactivateThatKeepsTransientBitmapsDiverges() {
        diverges(Fault.DROP_ON_INACTIVATE_KEEPS_TRANSIENT, Policies.DROP_ON_INACTIVATE, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, false, false), new Stop(SOURCE), new Inactivate(SOURCE)));
    }

    @Test
    void aTargetThatIgnoresTheEnabledFlagCreatesNoSuccessor() {
        diverges(Fault.START_ENABLED_FLAG_IGNORED_BY_TARGET, UPSTREAM, SMALL, seq(
                new BitmapAdd(SOURCE, "a", 1, false, false), new Launch(TARGET, true), new MigrateStart(true)));
    }

    @Test
    void everyFaultHasADescriptionAndIsSelectedByName() {
        assertThat(Fault.values()).hasSizeGreaterThanOrEqualTo(15);
        for (Fault f : Fault.values()) {
            assertThat(f.description()).isNotBlank();
            assertThat(Fault.byName(f.name().toLowerCase())).isEqualTo(f);
        }
        assertThat(Fault.parse("H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP, STORE_NO_IN_USE_ON_OPEN"))
                .containsExactlyInAnyOrder(Fault.H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP, Fault.STORE_NO_IN_USE_ON_OPEN);
    }

    @Test
    void aMigrationWithTheCapabilityPutsBytesOnTheWire() {
        ImplSystem impl = new ImplSystem(UPSTREAM, SMALL, Set.of());
        seq(new BitmapAdd(SOURCE, "a", 1, false, false), new GuestWrite(SOURCE, 0, 1), new Launch(TARGET, true),
                new MigrateStart(true)).forEach(act -> ImplDriver.step(impl, act));
        long setup = impl.wireBytes();
        assertThat(setup).isPositive();
        ImplDriver.step(impl, new MigrateComplete());
        assertThat(impl.wireBytes()).isGreaterThan(setup);
        assertThat(Abstraction.of(impl).target().bitmap("a").get().granules()).containsExactly(0);
    }
}
