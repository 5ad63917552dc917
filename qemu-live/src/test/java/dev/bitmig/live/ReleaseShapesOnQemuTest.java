package dev.bitmig.live;

import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Release;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where QEMU 7.2 and 10.0 differ, the QEMU under test (PATH, or -Dlive.qemu=PREFIX) must agree with the model of its
 * own release, step by step: blockdev-set-active, a paused target's late activation, cont on the source while the
 * target waits, and a write to an inactive node.
 */
@Tag("qemu")
class ReleaseShapesOnQemuTest {
    private static final Geometry G = new Geometry(8);

    @BeforeAll
    static void requireQemu() {
        assumeTrue("false".equals(System.getProperty("bitmig.live.skip")), "real-QEMU tests run with -Pqemu-live");
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
    }

    private static LiveChecker.Run agrees(Action... actions) {
        LiveChecker.Run run = new LiveChecker(new StepTimings()).run(List.of(actions), G, true);
        assertThat(run.status()).as("QEMU %s against %s: %s %s", run.qemuVersion(), QemuInstall.policy().name(),
                run.note(), run.firstMismatch()).isEqualTo(LiveChecker.Status.AGREE);
        return run;
    }

    private static String qemuOutcome(LiveChecker.Run run, int step) {
        return run.steps().get(step - 1).qemu();
    }

    @Test
    void blockdevSetActiveInactivatesARunningVmsNodeOnlyOnQemu10() {
        LiveChecker.Run run = agrees(new Action.BitmapAdd(SOURCE, "a", 1, true, false), new Action.Inactivate(SOURCE),
                new Action.Activate(SOURCE));
        if (QemuInstall.release() == Release.QEMU_7_2) {
            assertThat(qemuOutcome(run, 2)).contains("The command blockdev-set-active has not been found");
        } else {
            assertThat(qemuOutcome(run, 2)).isEqualTo("accepted");
            assertThat(qemuOutcome(run, 3)).isEqualTo("accepted");
        }
    }

    @Test
    void aWriteToAnInactiveNodeIsRefusedByQemu72AndAbortsQemu10() {
        LiveChecker.Run run = agrees(new Action.Launch(TARGET, true), new Action.MigrateStart(false),
                new Action.MigrateComplete(), new Action.GuestWrite(SOURCE, 0, 1));
        if (QemuInstall.release() == Release.QEMU_7_2) {
            assertThat(qemuOutcome(run, 4)).contains("Block node is read-only");
        } else {
            assertThat(qemuOutcome(run, 4)).contains("bdrv_co_write_req_prepare: Assertion");
        }
    }

    @Test
    void aPausedTargetActivatesWhenItsReleaseSays() {
        agrees(new Action.BitmapAdd(SOURCE, "a", 1, true, false), new Action.GuestWrite(SOURCE, 0, 1),
                new Action.Launch(TARGET, true), new Action.Stop(TARGET), new Action.MigrateStart(true),
                new Action.MigrateComplete(), new Action.GuestWrite(TARGET, 1, 1), new Action.Cont(TARGET),
                new Action.GuestWrite(TARGET, 2, 1));
    }

    /** migration/block-dirty-bitmap.c no_bitmaps, on both releases: the model predicts QEMU's bug. */
    @Test
    void afterAMigrationThatFoundNoBitmapTheNextMigrationSendsNone() {
        agrees(new Action.Launch(TARGET, true), new Action.MigrateStart(true), new Action.Quit(TARGET),
                new Action.BitmapAdd(SOURCE, "a", 1, false, false), new Action.Launch(TARGET, true),
                new Action.MigrateStart(true), new Action.MigrateComplete());
    }

    @Test
    void contOnTheSourceWhileThePausedTargetWaitsAgreesWithTheModel() {
        agrees(new Action.BitmapAdd(SOURCE, "a", 1, true, false), new Action.Launch(TARGET, true),
                new Action.Stop(TARGET), new Action.MigrateStart(true), new Action.MigrateComplete(),
                new Action.Cont(SOURCE), new Action.GuestWrite(SOURCE, 3, 1), new Action.Cont(TARGET));
    }
}
