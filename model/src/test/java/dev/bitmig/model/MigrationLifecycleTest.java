package dev.bitmig.model;

import dev.bitmig.model.scenario.ThreadScenarios;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.Action.FailPoint.AFTER_HANDOVER;
import static dev.bitmig.model.Action.FailPoint.BEFORE_HANDOVER;
import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration from setup to its end (migration/migration.c, migration/block-dirty-bitmap.c), under QEMU upstream
 * unless a test names another policy. Most stories start from the thread's prelude: persistent bitmap a, reporting
 * clusters {0,1}, loaded from an IN_USE entry, and a target waiting with -incoming.
 */
class MigrationLifecycleTest {

    private static Story prelude(Policy p) {
        return Story.of(p, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE);
    }

    private static Story migrating() {
        return prelude(Policies.QEMU_10_0).then(new Action.MigrateStart(true));
    }

    // ---------------------------------------------------------------- setup guards (migrate_prepare)

    @Test
    void migrationNeedsARunningSourceQemu() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Quit(SOURCE), new Action.Launch(TARGET, true));
        assertThat(s.refuses(new Action.MigrateStart(true))).isEqualTo("bitmig: no QEMU is running as source");
    }

    @Test
    void aSourceStartedWithIncomingCannotMigrate() {
        // migrate_prepare: runstate_check(RUN_STATE_INMIGRATE) -> "Guest is waiting for an incoming migration"
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, true),
                new Action.Launch(TARGET, true));
        assertThat(s.refuses(new Action.MigrateStart(true))).isEqualTo("Guest is waiting for an incoming migration");
    }

    @Test
    void aSourcePausedByACompletedMigrationCannotMigrateAgain() {
        // migrate_prepare: RUN_STATE_POSTMIGRATE without resume
        Story s = migrating().then(new Action.MigrateComplete());
        assertThat(s.refuses(new Action.MigrateStart(true)))
                .isEqualTo("Can't migrate the vm that was paused due to previous migration");
    }

    @Test
    void anInactiveSourceCannotMigrate() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Stop(SOURCE), new Action.Inactivate(SOURCE),
                new Action.Launch(TARGET, true));
        assertThat(s.refuses(new Action.MigrateStart(true))).isEqualTo("bitmig: the node is inactive");
    }

    // ---------------------------------------------------------------- what rides (init_dirty_bitmap_migration)

    @Test
    void withoutTheDirtyBitmapsCapabilityNoBitmapRides() {
        Story s = prelude(Policies.QEMU_10_0).then(new Action.MigrateStart(false));
        assertThat(s.world().migration().isActive()).isTrue();
        assertThat(s.world().migration().capability()).isFalse();
        assertThat(s.world().migration().riding().isEmpty()).isTrue();
        assertThat(s.target().bitmaps().isEmpty()).isTrue();
        Bitmap a = s.bitmap(SOURCE, "a");
        assertThat(a.busy()).isFalse();
        assertThat(a.skipStore()).isFalse();
    }

    @Test
    void anEnabledBitmapArrivesDisabledAndBusyWithASuccessorAndADisabledOneWithout() {
        // R9, dirty_bitmap_load_start: the bitmap is created disabled; only an ENABLED one gets a successor.
        Story s = prelude(Policies.QEMU_10_0).then(new Action.BitmapAdd(SOURCE, "d", 1, true, true),
                new Action.MigrateStart(true));
        assertThat(s.world().migration().riding().toJavaList()).containsExactly("a", "d");
        assertThat(s.world().migration().enabledAtStart().toJavaList()).containsExactly("a");
        Bitmap a = s.bitmap(TARGET, "a");
        assertThat(a.enabled()).isFalse();
        assertThat(a.busy()).isTrue();
        assertThat(a.successor().isDefined()).isTrue();
        Bitmap d = s.bitmap(TARGET, "d");
        assertThat(d.busy()).isTrue();
        assertThat(d.successor().isEmpty()).isTrue();
    }

    @Test
    void beforeVmStartEnablesOnlyTheBitmapsThatWereEnabledAtStart() {
        // dirty_bitmap_mig_before_vm_start
        Story s = prelude(Policies.QEMU_10_0).then(new Action.BitmapAdd(SOURCE, "d", 1, true, true),
                new Action.MigrateStart(true), new Action.MigrateComplete());
        assertThat(s.bitmap(TARGET, "a").enabled()).isTrue();
        assertThat(s.bitmap(TARGET, "d").enabled()).isFalse();
    }

    @Test
    void aCanaryPolicyNeverLetsItsCanariesRideTheStream() {
        // The reservation is the canary policy's own (Policy.reservesName); QEMU itself reserves no name.
        Story s = prelude(Policies.CANARY_DROP).then(new Action.BitmapAdd(SOURCE, CanaryPolicy.NAME + "-x", 1, false, false),
                new Action.MigrateStart(true));
        assertThat(s.world().migration().riding().toJavaList()).containsExactly("a");
        assertThat(s.target().bitmaps().keySet().toJavaList()).containsExactly("a");
    }

    @Test
    void aNameLongerThan255BytesFailsTheSetupWithoutAnAlias() {
        // init_dirty_bitmap_migration: names must fit the stream's one-byte length
        Story tooLong = prelude(Policies.QEMU_10_0).then(new Action.BitmapAdd(SOURCE, "n".repeat(256), 1, false, false),
                new Action.MigrateStart(true));
        assertThat(tooLong.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(tooLong.world().migration().error().get()).isEqualTo("Failed to initialize dirty tracking bitmap for blocks");
        Story fits = prelude(Policies.QEMU_10_0).then(new Action.BitmapAdd(SOURCE, "n".repeat(255), 1, false, false),
                new Action.MigrateStart(true));
        assertThat(fits.world().migration().isActive()).isTrue();
        assertThat(fits.world().migration().riding().contains("n".repeat(255))).isTrue();
    }

    @Test
    void anInconsistentBitmapFailsTheSetupAndTheSourceRunsOn() {
        // R13: dirty_bitmap_save_setup refuses BDRV_BITMAP_INCONSISTENT
        Story s = prelude(Policies.QEMU_10_0).then(new Action.Crash(SOURCE), new Action.Launch(SOURCE, false),
                new Action.MigrateStart(true));
        assertThat(s.bitmap(SOURCE, "a").inconsistent()).isTrue();
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error().get()).isEqualTo("Failed to initialize dirty tracking bitmap for blocks");
        assertThat(s.source().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.bitmap(SOURCE, "a").busy()).isFalse();
        assertThat(s.target().bitmaps().isEmpty()).isTrue();
    }

    @Test
    void aReadonlyBitmapFailsTheSetup() {
        // R13: a read-only open loads readonly bitmaps, which dirty_bitmap_save_setup refuses
        Story s = prelude(Policies.QEMU_10_0).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true),
                new Action.MigrateStart(true));
        assertThat(s.bitmap(SOURCE, "a").readonly()).isTrue();
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error().get()).isEqualTo("Failed to initialize dirty tracking bitmap for blocks");
    }

    @Test
    void theDestinationRefusesABitmapNameItAlreadyHas() {
        // R10, dirty_bitmap_load_start: the name clash fails the migration and the incoming QEMU exits
        Story s = prelude(Policies.QEMU_10_0).then(new Action.BitmapAdd(TARGET, "a", 1, false, false),
                new Action.MigrateStart(true));
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error().get())
                .isEqualTo("Bitmap with the same name ('a') already exists on destination");
        assertThat(s.target()).isEqualTo(Node.OFF);
        assertThat(s.bitmap(SOURCE, "a").busy()).isFalse();
        assertThat(s.source().run()).isEqualTo(RunState.RUNNING);
    }

    // ---------------------------------------------------------------- handover and completion

    @Test
    void inactivatingTheSourceDuringAMigrationIsTheHandover() {
        // migration_completion: the VM stops, dirty_bitmap_save_complete sends the bits, the source inactivates
        Story s = migrating().then(new Action.Inactivate(SOURCE));
        assertThat(s.world().migration().handedOver()).isTrue();
        assertThat(s.world().migration().sourceWasRunning()).isTrue();
        assertThat(s.source().run()).isEqualTo(RunState.PAUSED);
        assertThat(s.source().block()).isEqualTo(BlockState.INACTIVE);
        assertThat(s.world().image().owner().isEmpty()).isTrue();
        Bitmap a = s.bitmap(TARGET, "a");
        assertThat(a.granules().toJavaList()).containsExactly(0, 1);
        assertThat(a.busy()).isFalse();
        assertThat(a.successor().isEmpty()).isTrue();
    }

    @Test
    void aCompletedMigrationRunsTheTargetWithTheSourcesBits() {
        Story s = migrating().then(new Action.MigrateComplete());
        assertThat(s.world().migration().phase()).isEqualTo(Phase.COMPLETED);
        assertThat(s.target().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.target().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.world().image().owner().toJavaOptional()).contains(TARGET);
        assertThat(s.bitmap(TARGET, "a").granules().toJavaList()).containsExactly(0, 1);
        assertThat(s.bitmap(TARGET, "a").enabled()).isTrue();
        assertThat(s.source().run()).isEqualTo(RunState.POSTMIGRATE);
        assertThat(s.bitmap(SOURCE, "a").busy()).isFalse();
    }

    @Test
    void completionAfterAnExplicitHandoverDoesNotHandOverAgain() {
        // Under DROP_ON_INACTIVATE the source no longer holds a after handover: a second handover would send nothing.
        Story s = prelude(Policies.DROP_ON_INACTIVATE).then(new Action.MigrateStart(true), new Action.Inactivate(SOURCE),
                new Action.MigrateComplete());
        assertThat(s.bitmap(TARGET, "a").granules().toJavaList()).containsExactly(0, 1);
        assertThat(s.world().migration().sourceWasRunning()).isTrue();
    }

    @Test
    void stopAfterACompletedMigrationLeavesTheSourcePostmigrate() {
        Story s = migrating().then(new Action.MigrateComplete(), new Action.Stop(SOURCE));
        assertThat(s.source().run()).isEqualTo(RunState.POSTMIGRATE);
    }

    @Test
    void theSourceCannotBeActivatedOrContinuedWhileItsMigrationIsPastHandover() {
        Story s = migrating().then(new Action.Inactivate(SOURCE));
        assertThat(s.refuses(new Action.Activate(SOURCE))).isEqualTo("There's a migration process in progress");
        assertThat(s.refuses(new Action.Cont(SOURCE))).isEqualTo("Migration is not finalized yet");
    }

    @Test
    void onQemu72ACancelledMigrationLeavesASourceThatWasNotRunningPostmigrate() {
        for (Policy p : new Policy[] {Policies.QEMU_7_2, Policies.QEMU_10_0}) {
            Story s = Story.of(p, 4).then(new Action.Stop(SOURCE), new Action.Launch(TARGET, true),
                    new Action.MigrateStart(false), new Action.MigrateCancel(), new Action.Launch(TARGET, true));
            if (p.release().postmigrateAfterFailure()) {
                assertThat(s.source().run()).as(p.name()).isEqualTo(RunState.POSTMIGRATE);
                assertThat(s.refuses(new Action.MigrateStart(false))).isEqualTo(QemuErrors.PAUSED_BY_MIGRATION);
            } else {
                assertThat(s.source().run()).as(p.name()).isEqualTo(RunState.PAUSED);
            }
        }
    }

    @Test
    void onQemu72AFailedMigrationAfterHandoverLeavesASourceThatWasNotRunningPostmigrate() {
        Story s = Story.of(Policies.QEMU_7_2, 4).then(new Action.Stop(SOURCE), new Action.Launch(TARGET, true),
                new Action.MigrateStart(true), new Action.MigrateFail(Action.FailPoint.AFTER_HANDOVER));
        assertThat(s.source().run()).isEqualTo(RunState.POSTMIGRATE);
        assertThat(s.source().block()).as("reactivated").isEqualTo(BlockState.ACTIVE);
    }

    // ---------------------------------------------------------------- failure, cancel, a side going away

    @Test
    void aMigrationFailingBeforeHandoverReportsItsErrorAndTheIncomingQemuExits() {
        Story s = migrating().then(new Action.MigrateFail(BEFORE_HANDOVER));
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error().get()).isEqualTo("bitmig: stream error before handover");
        assertThat(s.target()).isEqualTo(Node.OFF);
        assertThat(s.source().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.bitmap(SOURCE, "a").busy()).isFalse();
    }

    @Test
    void failingBeforeHandoverIsRefusedOnceTheSourceHasInactivated() {
        Story s = migrating().then(new Action.Inactivate(SOURCE));
        assertThat(s.refuses(new Action.MigrateFail(BEFORE_HANDOVER))).isEqualTo("bitmig: the source has already inactivated");
    }

    @Test
    void aMigrationFailingAfterHandoverActivatesAndRestartsARunningSource() {
        // migration_iteration_finish -> bdrv_activate_all, vm_start if the VM was running
        Story s = migrating().then(new Action.MigrateFail(AFTER_HANDOVER));
        assertThat(s.world().migration().error().get()).isEqualTo("bitmig: stream error after handover");
        assertThat(s.source().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.source().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.world().image().owner().toJavaOptional()).contains(SOURCE);
        assertThat(s.target()).isEqualTo(Node.OFF);
    }

    @Test
    void aMigrationCancelledAfterHandoverLeavesAPausedSourcePausedButActive() {
        Story s = prelude(Policies.QEMU_10_0).then(new Action.Stop(SOURCE), new Action.MigrateStart(true),
                new Action.Inactivate(SOURCE), new Action.MigrateCancel());
        assertThat(s.world().migration().phase()).isEqualTo(Phase.CANCELLED);
        assertThat(s.world().migration().error().isEmpty()).isTrue();
        assertThat(s.source().run()).isEqualTo(RunState.PAUSED);
        assertThat(s.source().block()).isEqualTo(BlockState.ACTIVE);
    }

    @Test
    void theTargetGoingAwayFailsTheMigrationForTheSource() {
        Story s = migrating().then(new Action.Crash(TARGET));
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error().get()).isEqualTo("bitmig: the target went away");
        assertThat(s.source().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.bitmap(SOURCE, "a").busy()).isFalse();
    }

    @Test
    void theSourceGoingAwayAfterHandoverLeavesTheTargetToFinish() {
        // After handover the whole precopy stream has been sent; the incoming side completes without the source.
        Story s = migrating().then(new Action.Inactivate(SOURCE), new Action.Quit(SOURCE));
        assertThat(s.world().migration().phase()).isEqualTo(Phase.COMPLETED);
        assertThat(s.target().run()).isEqualTo(RunState.RUNNING);
        assertThat(s.bitmap(TARGET, "a").granules().toJavaList()).containsExactly(0, 1);
    }

    @Test
    void theSourceGoingAwayBeforeHandoverMakesTheIncomingQemuExit() {
        Story s = migrating().then(new Action.Crash(SOURCE));
        assertThat(s.world().migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(s.world().migration().error().get()).isEqualTo("bitmig: the source went away");
        assertThat(s.target()).isEqualTo(Node.OFF);
    }

    @Test
    void aQemuQuittingOutsideAMigrationLeavesTheOtherQemuAndTheMigrationStateAlone() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Launch(TARGET, true), new Action.Quit(SOURCE));
        assertThat(s.target().run()).isEqualTo(RunState.INMIGRATE);
        assertThat(s.world().migration()).isEqualTo(Migration.NONE);
        Story t = Story.of(Policies.QEMU_10_0, 4).then(new Action.Launch(TARGET, true), new Action.Crash(TARGET));
        assertThat(t.world().migration()).isEqualTo(Migration.NONE);
        assertThat(t.source().run()).isEqualTo(RunState.RUNNING);
    }

    // ---------------------------------------------------------------- the incoming QEMU before completion

    @Test
    void theIncomingQemuWaitsForTheStreamWhateverTheMonitorSays() {
        // qmp_cont on an incoming VM only sets autostart; stop changes nothing; the node is not the user's to activate
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Launch(TARGET, true));
        World before = s.world();
        assertThat(s.refuses(new Action.Activate(TARGET))).isEqualTo("bitmig: the node belongs to an incoming migration");
        s.then(new Action.Cont(TARGET));
        assertThat(s.world()).isEqualTo(before);
        s.then(new Action.Stop(TARGET));
        assertThat(s.target().run()).isEqualTo(RunState.INMIGRATE);
    }
}
