package dev.bitmig.model;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.collection.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Every guard of the transitions answers with its own error, before any effect, under every policy. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RejectionGuardsTest {
    private static final Geometry G = new Geometry(8);

    private static Outcome apply(Policy p, World w, Action a) {
        return new Spec(p, G).apply(w, a);
    }

    private static String rejection(Policy p, World w, Action a) {
        Outcome o = apply(p, w, a);
        assertThat(o).as("%s under %s", a, p).isInstanceOf(Outcome.Rejected.class);
        return ((Outcome.Rejected) o).reason();
    }

    private static World run(Policy p, World w, Action... actions) {
        for (Action a : actions) {
            Outcome o = apply(p, w, a);
            assertThat(o).as("setup step %s", a).isInstanceOf(Outcome.Next.class);
            w = ((Outcome.Next) o).world();
        }
        return w;
    }

    @Test
    void every_node_action_on_a_node_that_is_not_running_says_so() {
        List<Action> onTarget = List.of(
                new Action.GuestWrite(TARGET, 0, 1),
                new Action.Inactivate(TARGET),
                new Action.Activate(TARGET),
                new Action.Cont(TARGET),
                new Action.Stop(TARGET),
                new Action.BitmapAdd(TARGET, "b", 1, true, false),
                new Action.BitmapRemove(TARGET, "b"),
                new Action.BitmapClear(TARGET, "b"),
                new Action.BitmapEnable(TARGET, "b"),
                new Action.BitmapDisable(TARGET, "b"),
                new Action.BitmapMerge(TARGET, "b", List.of("c")),
                new Action.Quit(TARGET),
                new Action.Crash(TARGET),
                new Action.Backup(TARGET, "b"));
        for (Policy p : Policies.ALL) {
            World w = World.initial(G);
            for (Action a : onTarget) {
                assertThat(rejection(p, w, a)).as("%s under %s", a, p).isEqualTo(QemuErrors.notRunning(TARGET));
            }
        }
    }

    @Test
    void launching_a_node_that_is_already_running_says_so() {
        for (Policy p : Policies.ALL) {
            assertThat(rejection(p, World.initial(G), new Action.Launch(SOURCE, false, false)))
                    .isEqualTo(QemuErrors.alreadyRunning(SOURCE));
        }
    }

    @Test
    void a_guest_write_outside_the_disk_is_an_io_error() {
        for (Policy p : Policies.ALL) {
            World w = World.initial(G);
            assertThat(rejection(p, w, new Action.GuestWrite(SOURCE, 7, 2))).isEqualTo(QemuErrors.WRITE_OUT_OF_RANGE);
            assertThat(apply(p, w, new Action.GuestWrite(SOURCE, 7, 1))).isInstanceOf(Outcome.Next.class);
        }
    }

    @Test
    void a_foreign_write_while_a_qemu_holds_the_image_active_fails_on_the_lock() {
        for (Policy p : Policies.ALL) {
            World w = World.initial(G);
            assertThat(rejection(p, w, new Action.ForeignWrite(Action.Writer.AWARE, 0, 1)))
                    .isEqualTo(QemuErrors.WRITE_LOCK);
        }
    }

    @Test
    void migration_commands_without_a_migration_are_rejected_or_do_nothing() {
        for (Policy p : Policies.ALL) {
            World w = World.initialWithIncomingTarget(G);
            assertThat(rejection(p, w, new Action.MigrateComplete())).isEqualTo(QemuErrors.NO_MIGRATION);
            assertThat(rejection(p, w, new Action.MigrateFail(Action.FailPoint.BEFORE_HANDOVER)))
                    .isEqualTo(QemuErrors.NO_MIGRATION);
            assertThat(apply(p, w, new Action.MigrateCancel())).isEqualTo(Outcome.next(w));
        }
    }

    @Test
    void starting_a_migration_without_an_incoming_target_is_refused() {
        for (Policy p : Policies.ALL) {
            assertThat(rejection(p, World.initial(G), new Action.MigrateStart(true)))
                    .isEqualTo(QemuErrors.CONNECTION_REFUSED);
        }
    }

    @Test
    void a_second_migration_while_one_runs_is_refused() {
        for (Policy p : Policies.ALL) {
            World w = run(p, World.initialWithIncomingTarget(G), new Action.MigrateStart(true));
            assertThat(rejection(p, w, new Action.MigrateStart(true))).isEqualTo(QemuErrors.MIGRATION_IN_PROGRESS);
        }
    }

    @Test
    void inactivating_outside_a_migration_needs_blockdev_set_active_which_only_qemu_10_has() {
        for (Policy p : Policies.ALL) {
            Outcome o = apply(p, World.initial(G), new Action.Inactivate(SOURCE));
            if (p.release().hasBlockdevSetActive()) {
                // blk_can_inactivate: a running VM's node inactivates too.
                assertThat(o).as(p.name()).isInstanceOf(Outcome.Next.class);
                assertThat(((Outcome.Next) o).world().source().block()).isEqualTo(BlockState.INACTIVE);
            } else {
                assertThat(o).as(p.name()).isEqualTo(Outcome.rejected(QemuErrors.NO_SET_ACTIVE));
            }
        }
    }

    @Test
    void stop_on_a_paused_vm_and_activate_on_an_active_node_change_nothing() {
        for (Policy p : Policies.ALL) {
            World paused = run(p, World.initial(G), new Action.Stop(SOURCE));
            assertThat(apply(p, paused, new Action.Stop(SOURCE))).isEqualTo(Outcome.next(paused));
            assertThat(apply(p, paused, new Action.Activate(SOURCE))).isEqualTo(p.release().hasBlockdevSetActive()
                    ? Outcome.next(paused) : Outcome.rejected(QemuErrors.NO_SET_ACTIVE));
            World running = World.initial(G);
            assertThat(apply(p, running, new Action.Cont(SOURCE))).isEqualTo(Outcome.next(running));
        }
    }
}
