package dev.bitmig.live;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static dev.bitmig.live.QemuLauncher.DRIVE_NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Drives real QEMU 7.2+ processes; skipped when qemu-system-x86_64 is not on PATH. */
@Tag("qemu")
class QemuLiveTest {
    static final long KIB64 = 64 * 1024;
    static final StepTimings TIMINGS = new StepTimings();
    static final Path TIMINGS_FILE = Path.of("target", "qmp-timings.txt");

    QemuLauncher run;

    @BeforeAll
    static void requireQemu() {
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
    }

    @BeforeEach
    void newRun() {
        run = QemuLauncher.options().timings(TIMINGS).create();
    }

    @AfterEach
    void closeRun() {
        Path dir = run.runDir();
        List<QemuProcess> ps = run.processes();
        run.close();
        assertThat(dir).doesNotExist();
        assertThat(ps).noneMatch(QemuProcess::isAlive);
    }

    @AfterAll
    static void writeTimings() throws IOException {
        if (!TIMINGS.steps().isEmpty()) {
            Files.deleteIfExists(TIMINGS_FILE);
            TIMINGS.appendTo(TIMINGS_FILE, "QemuLiveTest wall time per step (ms)");
        }
    }

    @Test
    void greetingAndCapabilities() {
        QemuProcess src = run.launch(Role.SOURCE, Incoming.NONE);
        assertThat(src.qmp().greeting().path("version").path("qemu").path("major").asInt()).isGreaterThanOrEqualTo(7);
        // Commands other than qmp_capabilities only work after negotiation.
        assertThat(src.runState()).isEqualTo("running");
        assertThat(src.qmp().execute("query-commands").toString()).contains("block-dirty-bitmap-add");
        assertThatThrownBy(() -> src.qmp().execute("qmp_capabilities"))
                .isInstanceOfSatisfying(QmpError.class, e -> assertThat(e.errorClass()).isEqualTo("CommandNotFound"));
        assertThat(src.quit()).isZero();
    }

    @Test
    void errorRepliesAreTyped() {
        QemuProcess src = run.launch(Role.SOURCE, Incoming.NONE);
        src.addBitmap(DRIVE_NODE, "b0", KIB64, false, false);
        assertThatThrownBy(() -> src.addBitmap(DRIVE_NODE, "b0", KIB64, false, false))
                .isInstanceOfSatisfying(QmpError.class, e -> {
                    assertThat(e.errorClass()).isEqualTo("GenericError");
                    assertThat(e.desc()).isEqualTo("Bitmap already exists: b0");
                });
        assertThatThrownBy(() -> src.removeBitmap(DRIVE_NODE, "nope"))
                .isInstanceOfSatisfying(QmpError.class,
                        e -> assertThat(e.desc()).isEqualTo("Dirty bitmap 'nope' not found"));
        assertThatThrownBy(() -> src.addBitmap("nonode", "b1", KIB64, false, false))
                .isInstanceOfSatisfying(QmpError.class,
                        e -> assertThat(e.desc()).isEqualTo("Cannot find device='nonode' nor node-name='nonode'"));
        assertThatThrownBy(() -> src.addBitmap(DRIVE_NODE, "b2", 1000, false, false))
                .isInstanceOfSatisfying(QmpError.class,
                        e -> assertThat(e.desc()).isEqualTo("Granularity must be power of 2 and at least 512"));
        // The connection stays usable after errors.
        assertThat(src.bitmaps(DRIVE_NODE)).extracting(BitmapInfo::name).containsExactly("b0");
    }

    @Test
    void guestWriteMarksEnabledBitmapOnly() {
        QemuProcess src = run.launch(Role.SOURCE, Incoming.NONE);
        src.addBitmap(DRIVE_NODE, "b0", KIB64, true, false);
        src.addBitmap(DRIVE_NODE, "b1", KIB64, false, true);
        assertThat(src.guestWrite(KIB64, KIB64)).contains("wrote 65536/65536 bytes at offset 65536");
        BitmapInfo b0 = src.bitmap(DRIVE_NODE, "b0").orElseThrow();
        BitmapInfo b1 = src.bitmap(DRIVE_NODE, "b1").orElseThrow();
        assertThat(b0).isEqualTo(new BitmapInfo(DRIVE_NODE, "b0", KIB64, KIB64, true, true, false, false));
        assertThat(b1).isEqualTo(new BitmapInfo(DRIVE_NODE, "b1", 0, KIB64, false, false, false, false));
        // A 1-byte write dirties one whole granule; a write inside an already dirty granule adds nothing.
        src.guestWrite(3 * KIB64 + 5, 1);
        src.guestWrite(KIB64 + 7, 100);
        assertThat(src.bitmap(DRIVE_NODE, "b0").orElseThrow().count()).isEqualTo(2 * KIB64);
        // With -M none there is no device, so query-block lists nothing; query-named-block-nodes has the bitmaps.
        assertThat(src.bitmapsFromQueryBlock()).isEmpty();
        src.mergeBitmaps(DRIVE_NODE, "b1", List.of("b0"));
        assertThat(src.bitmapSha256(DRIVE_NODE, "b1")).isEqualTo(src.bitmapSha256(DRIVE_NODE, "b0"));
        src.clearBitmap(DRIVE_NODE, "b0");
        assertThat(src.bitmap(DRIVE_NODE, "b0").orElseThrow().count()).isZero();
        src.disableBitmap(DRIVE_NODE, "b0");
        src.enableBitmap(DRIVE_NODE, "b1");
        src.guestWrite(0, 512);
        assertThat(src.bitmap(DRIVE_NODE, "b0").orElseThrow().count()).isZero();
        assertThat(src.bitmap(DRIVE_NODE, "b1").orElseThrow().count()).isEqualTo(3 * KIB64);
        src.removeBitmap(DRIVE_NODE, "b1");
        assertThat(src.bitmaps(DRIVE_NODE)).extracting(BitmapInfo::name).containsExactly("b0");
        // qemu-io failures only show in HMP's output text; they surface as exceptions.
        assertThatThrownBy(() -> src.guestWrite(1L << 40, KIB64))
                .isInstanceOf(QemuIoException.class).hasMessageContaining("write failed");
        assertThatThrownBy(() -> src.qemuIo("nonode", "write 0 512"))
                .isInstanceOf(QemuIoException.class)
                .hasMessageContaining("Cannot find device='' nor node-name='nonode'");
    }

    @Test
    void migrationCarriesBitmapOverSharedImage() {
        QemuProcess src = run.launch(Role.SOURCE, Incoming.NONE);
        QemuProcess dst = run.launch(Role.TARGET, Incoming.UNIX, true);
        src.enableBitmapMigration();
        dst.enableBitmapMigration();
        src.addBitmap(DRIVE_NODE, "b0", KIB64, true, false);
        src.guestWrite(KIB64, KIB64);
        src.guestWrite(10 * KIB64, 3 * KIB64);
        String sha = src.bitmapSha256(DRIVE_NODE, "b0");
        src.migrate(run.migrationUri());
        assertThat(src.waitForMigration(Duration.ofSeconds(30))).isEqualTo("completed");
        assertThat(dst.waitForMigration(Duration.ofSeconds(30))).isEqualTo("completed");
        assertThat(src.runState()).isEqualTo("postmigrate");
        BitmapInfo moved = dst.bitmap(DRIVE_NODE, "b0").orElseThrow();
        assertThat(moved).isEqualTo(new BitmapInfo(DRIVE_NODE, "b0", 4 * KIB64, KIB64, true, true, false, false));
        assertThat(dst.bitmapSha256(DRIVE_NODE, "b0")).isEqualTo(sha);
        dst.cont();
        assertThat(dst.runState()).isEqualTo("running");
        dst.guestWrite(20 * KIB64, KIB64);
        assertThat(dst.bitmap(DRIVE_NODE, "b0").orElseThrow().count()).isEqualTo(5 * KIB64);
        src.quit();
        assertThat(dst.quit()).isZero();
        // The target stored the migrated persistent bitmap into the shared image when it closed.
        assertThat(QemuImages.bitmaps(run.image())).containsExactly(new ImageBitmap("b0", KIB64, List.of("auto")));
    }

    @Test
    void migrationCancelledBeforeSwitchover() throws InterruptedException {
        QemuProcess src = run.launch(Role.SOURCE, Incoming.NONE);
        QemuProcess dst = run.launch(Role.TARGET, Incoming.DEFER, true);
        src.enableBitmapMigration();
        dst.enableBitmapMigration();
        src.setMigrationCapability("pause-before-switchover", true);
        dst.migrateIncoming(run.migrationUri());
        src.addBitmap(DRIVE_NODE, "b0", KIB64, true, false);
        src.guestWrite(0, KIB64);
        src.migrate(run.migrationUri());
        assertThat(src.waitForMigration(Set.of("pre-switchover"), Duration.ofSeconds(30))).isEqualTo("pre-switchover");
        assertThat(src.bitmap(DRIVE_NODE, "b0").orElseThrow().busy()).isTrue();
        assertThatThrownBy(() -> src.removeBitmap(DRIVE_NODE, "b0")).isInstanceOfSatisfying(QmpError.class,
                e -> assertThat(e.desc())
                        .isEqualTo("Bitmap 'b0' is currently in use by another operation and cannot be used"));
        src.migrateCancel();
        assertThat(src.waitForMigration(Duration.ofSeconds(30))).isEqualTo("cancelled");
        BitmapInfo after = src.bitmap(DRIVE_NODE, "b0").orElseThrow();
        assertThat(after.busy()).isFalse();
        assertThat(after.count()).isEqualTo(KIB64);
        assertThat(src.runState()).isEqualTo("running");
        // The target sees its incoming stream break and exits.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (dst.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(dst.isAlive()).isFalse();
        // QEMU 7.2 reports the broken stream as EIO; 10.0 reads a truncated section footer first and reports EINVAL
        // (migration/savevm.c check_section_footer), so either text marks the same failure.
        assertThat(dst.log()).containsAnyOf("load of migration failed: Input/output error",
                "load of migration failed: Invalid argument");
        assertThatThrownBy(() -> dst.runState()).isInstanceOf(QemuGoneException.class);
    }

    @Test
    void kill9LeavesInUseEntryAndForeignWritersWork() {
        QemuProcess src = run.launch(Role.SOURCE, Incoming.NONE);
        src.addBitmap(DRIVE_NODE, "b0", KIB64, true, false);
        src.guestWrite(0, KIB64);
        assertThat(src.quit()).isZero();
        Path img = run.image();
        assertThat(QemuImages.bitmaps(img)).containsExactly(new ImageBitmap("b0", KIB64, List.of("auto")));
        assertThat(QemuImages.autoclearFeatures(img) & 1).isEqualTo(1);

        // Bitmap-aware foreign writer: records into the stored enabled bitmap.
        assertThat(QemuImages.qemuIoWrite(img, 4 * KIB64, KIB64)).contains("wrote 65536/65536");
        QemuProcess again = src.relaunch(Incoming.NONE);
        assertThat(again.bitmap(DRIVE_NODE, "b0").orElseThrow().count()).isEqualTo(2 * KIB64);
        // Loaded read-write: the entry is marked in-use on disk while QEMU runs ...
        assertThat(QemuImages.bitmaps(img).get(0).inUse()).isTrue();
        // ... and the image lock keeps the standalone writer out.
        assertThatThrownBy(() -> QemuImages.qemuIoWrite(img, 0, 512))
                .isInstanceOf(QemuIoException.class).hasMessageContaining("Failed to get \"write\" lock");
        again.kill9();
        assertThat(QemuImages.bitmaps(img).get(0).flags()).containsExactlyInAnyOrder("in-use", "auto");

        // After the crash, the next QEMU loads the entry as inconsistent.
        QemuProcess third = again.relaunch(Incoming.NONE);
        BitmapInfo b0 = third.bitmap(DRIVE_NODE, "b0").orElseThrow();
        assertThat(b0.inconsistent()).isTrue();
        assertThat(b0.recording()).isFalse();
        assertThatThrownBy(() -> third.clearBitmap(DRIVE_NODE, "b0")).isInstanceOf(QmpError.class);
        third.removeBitmap(DRIVE_NODE, "b0");
        third.addBitmap(DRIVE_NODE, "b0", KIB64, true, false);
        assertThat(third.quit()).isZero();

        // Unaware foreign writer: clears autoclear bit 0 only.
        QemuImages.clearAutoclearBit0(img);
        assertThat(QemuImages.autoclearFeatures(img) & 1).isZero();
        QemuProcess fourth = third.relaunch(Incoming.NONE);
        // QEMU 7.2 warns and drops the whole bitmap directory (not just marks it inconsistent).
        assertThat(fourth.log()).contains("a program lacking bitmap support modified this file, "
                + "so all bitmaps are now considered inconsistent");
        assertThat(fourth.bitmaps(DRIVE_NODE)).isEmpty();
        assertThat(QemuImages.bitmaps(img)).isEmpty();
        fourth.quit();
    }

    @Test
    void stoppedProcessTimesOutAndDeadProcessIsReported() {
        QemuProcess src = run.launch(Role.SOURCE, Incoming.NONE);
        src.sigstop();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> src.qmp().execute("query-status", null, Duration.ofMillis(500)))
                .isInstanceOf(QmpTimeoutException.class).hasMessageContaining("query-status");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(450L, 3000L);
        assertThatThrownBy(() -> src.qmp().waitForEvent("MIGRATION", null, Duration.ofMillis(200)))
                .isInstanceOf(QmpTimeoutException.class);
        src.sigcont();
        // The late reply to the timed-out call is discarded; the connection stays in sync.
        assertThat(src.runState()).isEqualTo("running");
        assertThat(src.qmp().execute("query-name").path("name").asText()).isEqualTo("bitmig-source");

        ProcessHandle.of(src.pid()).orElseThrow().destroyForcibly();
        long t1 = System.nanoTime();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) {
                src.qmp().execute("query-status", null, Duration.ofSeconds(5));
                Thread.sleep(5);
            }
        }).isInstanceOf(QemuGoneException.class);
        assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(5000);
        assertThat(src.qmp().isConnected()).isFalse();
    }
}
