package dev.bitmig.model;

import dev.bitmig.model.scenario.ThreadScenarios;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** Image locking (block/file-posix.c raw_check_lock_bytes): who holds the image decides who may open or write it. */
class ImageLockingTest {

    @Test
    void launchingAQemuThatIsAlreadyRunningIsRefused() {
        Story s = Story.of(Policies.QEMU_10_0, 4);
        assertThat(s.refuses(new Action.Launch(SOURCE, false))).isEqualTo("bitmig: QEMU is already running as source");
    }

    @Test
    void inactivationGivesUpTheImageLock() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Stop(SOURCE), new Action.Inactivate(SOURCE));
        assertThat(s.world().image().owner().isEmpty()).isTrue();
        assertThat(Invariant.SINGLE_WRITER.holds(s.world(), s.geometry())).isTrue();
    }

    @Test
    void quittingGivesUpTheImageLock() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Quit(SOURCE));
        assertThat(s.world().image().owner().isEmpty()).isTrue();
    }

    @Test
    void aReadOnlyQemuTakesNoWriteLockWhenItOpensOrActivates() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true));
        assertThat(s.source().isActive()).isTrue();
        assertThat(s.world().image().owner().isEmpty()).isTrue();
        s.then(new Action.Stop(SOURCE), new Action.Inactivate(SOURCE), new Action.Activate(SOURCE));
        assertThat(s.source().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(s.world().image().owner().isEmpty()).isTrue();
    }

    @Test
    void aReadOnlyQemuCannotOpenTheImageWhileAnotherQemuWritesIt() {
        Story s = Story.of(Policies.QEMU_10_0, 4);
        assertThat(s.refuses(new Action.Launch(TARGET, false, true))).isEqualTo("Failed to get shared \"write\" lock");
    }

    @Test
    void twoReadOnlyQemusShareTheImage() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true),
                new Action.Launch(TARGET, false, true));
        assertThat(s.source().isActive()).isTrue();
        assertThat(s.target().isActive()).isTrue();
        // ...but a read-write open still fails on the readers' shared lock.
        Story t = Story.of(Policies.QEMU_10_0, 4).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true));
        assertThat(t.refuses(new Action.Launch(TARGET, false, false))).isEqualTo("Failed to get \"write\" lock");
    }

    @Test
    void aToolCannotWriteTheImageWhileTheTargetHoldsItActive() {
        Story s = Story.of(Policies.QEMU_10_0, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE)
                .then(new Action.MigrateStart(true), new Action.MigrateComplete(), new Action.Quit(SOURCE));
        assertThat(s.refuses(new Action.ForeignWrite(Action.Writer.UNAWARE, 0, 1))).isEqualTo("Failed to get \"write\" lock");
    }

    @Test
    void anEjectedNodeKeepsTheLockItsFailedActivationTookUntilItsQemuQuits() {
        // block.c bdrv_activate keeps the permissions it took before the driver's reopen failed (seen on QEMU 7.2.22).
        Story s = Story.of(Policies.QEMU_7_2, 4).then(new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, true),
                new Action.Launch(NodeId.TARGET, true), new Action.MigrateStart(true), new Action.MigrateComplete(),
                new Action.Quit(NodeId.TARGET));
        assertThat(s.fails(new Action.Cont(NodeId.SOURCE))).contains("Bitmap already exists: a");
        assertThat(s.source().block()).isEqualTo(BlockState.EJECTED);
        assertThat(s.world().image().owner()).isEqualTo(io.vavr.control.Option.some(NodeId.SOURCE));
        assertThat(s.refuses(new Action.ForeignWrite(Action.Writer.AWARE, 0, 1))).isEqualTo(QemuErrors.WRITE_LOCK);
        assertThat(s.refuses(new Action.Launch(NodeId.TARGET, false))).isEqualTo(QemuErrors.WRITE_LOCK);

        s.then(new Action.Quit(NodeId.SOURCE), new Action.ForeignWrite(Action.Writer.AWARE, 0, 1));
        assertThat(s.world().image().owner().isEmpty()).isTrue();
    }
}
