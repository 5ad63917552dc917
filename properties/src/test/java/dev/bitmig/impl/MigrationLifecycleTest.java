package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.BitmapRemove;
import dev.bitmig.model.Action.Crash;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateCancel;
import dev.bitmig.model.Action.MigrateComplete;
import dev.bitmig.model.Action.MigrateFail;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Phase;
import dev.bitmig.model.Policies;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;
import dev.bitmig.model.World;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** Setup failures, handovers that cannot happen, and a source that goes away after the handover. */
class MigrationLifecycleTest {
    private static final Geometry SMALL = new Geometry(16);

    private static List<Action> seq(Action... actions) {
        return Arrays.asList(actions);
    }

    private static Lockstep agreeing(List<Action> actions) {
        Lockstep run = new Lockstep(Policies.QEMU_10_0, SMALL, Set.of());
        assertThat(run.run(actions)).as("implementation against the model").isNull();
        return run;
    }

    @Test
    void aReadonlyBitmapOnTheSourceFailsTheSetup() {
        // migration/block-dirty-bitmap.c init_dirty_bitmap_migration refuses readonly and inconsistent bitmaps.
        World w = Abstraction.of(agreeing(seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false, true), new Launch(TARGET, true), new MigrateStart(true))).impl);
        assertThat(w.migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(w.migration().error().get()).isEqualTo(QemuErrors.SETUP_FAILED);
        assertThat(w.migration().riding().isEmpty()).isTrue();
    }

    @Test
    void anInconsistentBitmapOnTheSourceFailsTheSetup() {
        World w = Abstraction.of(agreeing(seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false), new Crash(SOURCE), new Launch(SOURCE, false), new Launch(TARGET, true),
                new MigrateStart(true))).impl);
        assertThat(w.source().bitmap("a").get().inconsistent()).isTrue();
        assertThat(w.migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(w.migration().error().get()).isEqualTo(QemuErrors.SETUP_FAILED);
    }

    @Test
    void aNewMigrationForgetsTheBitmapsThatRodeThePreviousOne() {
        World w = Abstraction.of(agreeing(seq(new BitmapAdd(SOURCE, "a", 1, false, false), new Launch(TARGET, true),
                new MigrateStart(true), new MigrateCancel(), new BitmapRemove(SOURCE, "a"),
                new BitmapAdd(SOURCE, "b", 1, false, false), new Launch(TARGET, true), new MigrateStart(true)))
                .impl);
        assertThat(w.migration().riding().toJavaList()).containsExactly("b");
    }

    @Test
    void aNewMigrationForgetsWhichBitmapsThePreviousOneDepersisted() {
        // QEMU 2.12 clears the persistent flag of migrated bitmaps; a cancelled migration leaves that record behind.
        Lockstep run = new Lockstep(Policies.QEMU_2_12, SMALL, Set.of());
        List<Action> first = seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Launch(TARGET, true),
                new MigrateStart(true), new MigrateCancel());
        assertThat(run.run(first)).isNull();
        assertThat(dev.bitmig.model.Qemu212Policy.Depersisted.in(Abstraction.of(run.impl)).toJavaList()).containsExactly("a");
        assertThat(run.run(seq(new Launch(TARGET, true), new MigrateStart(false)))).isNull();
        assertThat(dev.bitmig.model.Qemu212Policy.Depersisted.in(Abstraction.of(run.impl)).isEmpty()).isTrue();
    }

    @Test
    void aSourceThatQuitsAfterTheHandoverLetsTheTargetComplete() {
        World w = Abstraction.of(agreeing(seq(new BitmapAdd(SOURCE, "a", 1, false, false), new GuestWrite(SOURCE, 2, 1),
                new Launch(TARGET, true), new MigrateStart(true), new Inactivate(SOURCE), new Quit(SOURCE)))
                .impl);
        assertThat(w.migration().phase()).isEqualTo(Phase.COMPLETED);
        assertThat(w.target().run()).isEqualTo(RunState.RUNNING);
        assertThat(w.target().bitmap("a").get().granules()).containsExactly(2);
        assertThat(w.target().bitmap("a").get().enabled()).isTrue();
    }

    @Test
    void aHandoverThatCannotStoreFailsTheMigrationAndTheSourceRunsOn() {
        // The open did not mark "a" IN_USE (seeded fault), so storing "a" at the handover would overwrite a foreign entry.
        // Without the capability "a" does not ride, so the handover stores it; the failed store fails the migration
        // (migration/savevm.c "bdrv_inactivate_all() failed").
        List<Action> actions = seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false), new Launch(TARGET, true), new MigrateStart(false), new Inactivate(SOURCE));
        ImplSystem impl = new ImplSystem(Policies.QEMU_10_0, SMALL, Set.of(Fault.STORE_NO_IN_USE_ON_OPEN));
        for (Action a : actions) {
            assertThat(ImplDriver.step(impl, a).error().isEmpty()).as(a.toString()).isTrue();
        }
        World failed = Abstraction.of(impl);
        assertThat(failed.migration().phase()).isEqualTo(dev.bitmig.model.Phase.FAILED);
        assertThat(failed.migration().error().toJavaOptional())
                .contains(QemuErrors.lostOnInactivation(QemuErrors.existsInImage("a")));
        assertThat(failed.source().run()).isEqualTo(RunState.RUNNING);
        assertThat(failed.source().isActive()).isTrue();
        assertThat(failed.target().isOn()).isFalse();

        World correct = Abstraction.of(agreeing(actions).impl);
        assertThat(correct.migration().handedOver()).isTrue();
    }

    @Test
    void aFailureAfterAHandoverThatCannotEncodeLeavesTheEncodersError() {
        // H10: with 2 GiB granules the chunk size overflows; the failed handover already failed the migration.
        ImplSystem impl = new ImplSystem(Policies.QEMU_10_0, SMALL, Set.of(Fault.H10_CHUNK_SIZE_32BIT_OVERFLOW));
        seq(new BitmapAdd(SOURCE, "a", 32768, false, false), new GuestWrite(SOURCE, 0, 1), new Launch(TARGET, true),
                new MigrateStart(true)).forEach(act -> ImplDriver.step(impl, act));
        assertThat(ImplDriver.step(impl, new MigrateFail(Action.FailPoint.AFTER_HANDOVER)).isRejected()).isFalse();
        World w = Abstraction.of(impl);
        assertThat(w.migration().phase()).isEqualTo(Phase.FAILED);
        assertThat(w.migration().error().get()).startsWith("bitmig: ").doesNotContain("stream error after handover");
    }
}
