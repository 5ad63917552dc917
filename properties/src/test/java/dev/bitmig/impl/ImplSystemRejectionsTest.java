package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.BitmapRemove;
import dev.bitmig.model.Action.Cont;
import dev.bitmig.model.Action.ForeignWrite;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.MigrateComplete;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateFail;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** Actions the implementation refuses, each with the model's reason, leaving the state unchanged. */
class ImplSystemRejectionsTest {
    private static final Geometry SMALL = new Geometry(16);

    /** Runs {@code before} in lockstep with the model, then checks that {@code refused} is rejected for {@code reason}. */
    private static Lockstep refuses(List<Action> before, Action refused, String reason) {
        Lockstep run = new Lockstep(Policies.QEMU_10_0, SMALL, Set.of());
        List<Action> all = new ArrayList<>(before);
        all.add(refused);
        assertThat(run.run(all)).as("implementation against the model").isNull();
        ImplSystem fresh = new ImplSystem(Policies.QEMU_10_0, SMALL, Set.of());
        before.forEach(act -> ImplDriver.step(fresh, act));
        assertThat(ImplDriver.step(fresh, refused)).isEqualTo(Outcome.rejected(reason));
        return run;
    }

    private static List<Action> seq(Action... actions) {
        return Arrays.asList(actions);
    }

    @Test
    void aGuestWritePastTheEndOfTheDiskIsAnIoError() {
        refuses(seq(new BitmapAdd(SOURCE, "a", 1, false, false)), new GuestWrite(SOURCE, 15, 2),
                QemuErrors.WRITE_OUT_OF_RANGE);
    }

    @Test
    void aGuestWriteThroughAnInactiveNodeIsRefusedOnQemu72() {
        List<Action> before = seq(new Launch(dev.bitmig.model.NodeId.TARGET, true), new MigrateStart(false),
                new MigrateComplete());
        Lockstep run = new Lockstep(Policies.QEMU_7_2, SMALL, Set.of());
        List<Action> all = new ArrayList<>(before);
        all.add(new GuestWrite(SOURCE, 0, 1));
        assertThat(run.run(all)).as("implementation against the model").isNull();
        ImplSystem fresh = new ImplSystem(Policies.QEMU_7_2, SMALL, Set.of());
        before.forEach(act -> ImplDriver.step(fresh, act));
        assertThat(ImplDriver.step(fresh, new GuestWrite(SOURCE, 0, 1))).isEqualTo(Outcome.rejected(QemuErrors.NODE_READ_ONLY));
    }

    @Test
    void aGuestWriteThroughAnInactiveNodeAbortsQemu10() {
        List<Action> before = seq(new Inactivate(SOURCE), new GuestWrite(SOURCE, 0, 1));
        Lockstep run = new Lockstep(Policies.QEMU_10_0, SMALL, Set.of());
        assertThat(run.run(before)).as("implementation against the model").isNull();
        ImplSystem fresh = new ImplSystem(Policies.QEMU_10_0, SMALL, Set.of());
        ImplDriver.step(fresh, new Inactivate(SOURCE));
        Outcome o = ImplDriver.step(fresh, new GuestWrite(SOURCE, 0, 1));
        assertThat(o.error().get()).isEqualTo(QemuErrors.INACTIVE_WRITE_ABORT);
        assertThat(Abstraction.of(fresh).source().isOn()).isFalse();
    }

    @Test
    void aGuestWriteThroughAReadOnlyNodeIsRefused() {
        refuses(seq(new Quit(SOURCE), new Launch(SOURCE, false, true)), new GuestWrite(SOURCE, 0, 1),
                QemuErrors.NODE_READ_ONLY);
    }

    @Test
    void aForeignWritePastTheEndOfTheDiskIsAnIoError() {
        refuses(seq(new Quit(SOURCE)), new ForeignWrite(Action.Writer.AWARE, 16, 1), QemuErrors.WRITE_OUT_OF_RANGE);
    }

    @Test
    void aBitmapThatRidesTheMigrationCannotBeRemoved() {
        refuses(seq(new BitmapAdd(SOURCE, "a", 1, false, false), new Launch(TARGET, true), new MigrateStart(true)),
                new BitmapRemove(SOURCE, "a"), QemuErrors.busy("a"));
    }

    @Test
    void theSourceCannotContinueOnceItHandedOverToARunningMigration() {
        refuses(seq(new Launch(TARGET, true), new MigrateStart(true), new Inactivate(SOURCE)), new Cont(SOURCE),
                QemuErrors.MIGRATION_NOT_FINALIZED);
    }

    @Test
    void aFailureBeforeTheHandoverCannotHappenAfterIt() {
        refuses(seq(new Launch(TARGET, true), new MigrateStart(true), new Inactivate(SOURCE)),
                new MigrateFail(Action.FailPoint.BEFORE_HANDOVER), QemuErrors.ALREADY_HANDED_OVER);
    }

    @Test
    void aMigrationCannotStartFromAnInactiveSource() {
        refuses(seq(new Stop(SOURCE), new Inactivate(SOURCE), new Launch(TARGET, true)), new MigrateStart(true),
                QemuErrors.NODE_INACTIVE);
    }

    @Test
    void aReadonlyBitmapCannotBeRemoved() {
        refuses(seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE), new Launch(SOURCE, false, true)),
                new BitmapRemove(SOURCE, "a"), QemuErrors.readonly("a"));
    }

    @Test
    void continuingAnIncomingTargetChangesNothing() {
        Lockstep run = new Lockstep(Policies.QEMU_10_0, SMALL, Set.of());
        assertThat(run.run(seq(new Launch(TARGET, true), new Cont(TARGET)))).isNull();
        assertThat(Abstraction.of(run.impl).target().run()).isEqualTo(RunState.INMIGRATE);
    }
}
