package dev.bitmig.model.scenario;

import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.Cont;
import dev.bitmig.model.Action.Crash;
import dev.bitmig.model.Action.ForeignWrite;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateCancel;
import dev.bitmig.model.Action.MigrateComplete;
import dev.bitmig.model.Action.MigrateFail;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import io.vavr.collection.List;

import static dev.bitmig.model.Action.FailPoint.AFTER_HANDOVER;
import static dev.bitmig.model.Action.FailPoint.BEFORE_HANDOVER;
import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;

/**
 * The cases of the 2018 qemu-devel thread "Restoring bitmaps after failed/cancelled migration", on a 4-cluster disk.
 * Every story starts the same way: a persistent, enabled bitmap {@code a} that has been stored and loaded again (so
 * the image holds an IN_USE entry for it, as on any real host), and a target waiting with -incoming.
 */
public final class ThreadScenarios {
    private ThreadScenarios() {
    }

    public static final int CLUSTERS = 4;

    /** Source has persistent bitmap a, stored once and loaded again; a target waits with -incoming. */
    public static final List<Action> PRELUDE = List.of(
            new BitmapAdd(SOURCE, "a", 1, true, false),
            new GuestWrite(SOURCE, 0, 1),
            new Quit(SOURCE),
            new Launch(SOURCE, false),
            new GuestWrite(SOURCE, 1, 1),
            new Launch(TARGET, true));

    /** The source comes back to life afterwards: it writes, quits, and is launched again. */
    private static final List<Action> SOURCE_LIVES_ON = List.of(
            new GuestWrite(SOURCE, 2, 1),
            new Quit(SOURCE),
            new Launch(SOURCE, false));

    public static final Scenario A_CANCELLED_AFTER_HANDOVER = new Scenario("a-cancelled-after-handover",
            "(a) migration cancelled after the source inactivated; the source activates and continues",
            PRELUDE.appendAll(List.of(new MigrateStart(true), new Inactivate(SOURCE), new MigrateCancel()))
                    .appendAll(SOURCE_LIVES_ON));

    public static final Scenario A_FAILED_AFTER_HANDOVER = new Scenario("a-failed-after-handover",
            "(a) migration failed in the final flush after handover; the source activates and continues",
            PRELUDE.appendAll(List.of(new MigrateStart(true), new MigrateFail(AFTER_HANDOVER)))
                    .appendAll(SOURCE_LIVES_ON));

    public static final Scenario A_FAILED_BEFORE_HANDOVER = new Scenario("a-failed-before-handover",
            "(a) migration failed before the source inactivated; the source simply continues",
            PRELUDE.appendAll(List.of(new MigrateStart(true), new MigrateFail(BEFORE_HANDOVER)))
                    .appendAll(SOURCE_LIVES_ON));

    public static final Scenario A_FOREIGN_WRITE_AFTER_HANDOVER = new Scenario("a-foreign-write-after-handover",
            "(a) after handover a bitmap-aware tool writes the image; the migration fails and the source continues",
            PRELUDE.appendAll(List.of(new MigrateStart(true), new Inactivate(SOURCE),
                    new ForeignWrite(Action.Writer.AWARE, 3, 1), new MigrateFail(AFTER_HANDOVER))));

    public static final Scenario B_TARGET_WRITES_QUITS_CONT_SOURCE = new Scenario("b-target-writes-quits-cont-source",
            "(b) migration succeeds, the target writes and quits, then cont on the source",
            PRELUDE.appendAll(List.of(new MigrateStart(true), new MigrateComplete(), new GuestWrite(TARGET, 2, 1),
                    new Quit(TARGET), new Cont(SOURCE), new GuestWrite(SOURCE, 0, 1), new Quit(SOURCE),
                    new Launch(SOURCE, false))));

    public static final Scenario B_TARGET_WRITES_CRASHES_CONT_SOURCE = new Scenario("b-target-writes-crashes-cont-source",
            "(b) migration succeeds, the target writes and is killed, then cont on the source",
            PRELUDE.appendAll(List.of(new MigrateStart(true), new MigrateComplete(), new GuestWrite(TARGET, 2, 1),
                    new Crash(TARGET), new Cont(SOURCE))));

    public static final Scenario C_STOP_CONT_SOURCE = new Scenario("c-stop-cont-source",
            "(c) migration succeeds, then stop and cont on the source: refused while the target runs, "
                    + "accepted once the target has been killed after writing",
            PRELUDE.appendAll(List.of(new MigrateStart(true), new MigrateComplete(), new Stop(SOURCE),
                    new Cont(SOURCE), new GuestWrite(TARGET, 3, 1), new Crash(TARGET), new Stop(SOURCE),
                    new Cont(SOURCE))));

    public static final List<Scenario> ALL = List.of(
            A_CANCELLED_AFTER_HANDOVER, A_FAILED_AFTER_HANDOVER, A_FAILED_BEFORE_HANDOVER,
            A_FOREIGN_WRITE_AFTER_HANDOVER, B_TARGET_WRITES_QUITS_CONT_SOURCE, B_TARGET_WRITES_CRASHES_CONT_SOURCE,
            C_STOP_CONT_SOURCE);
}
