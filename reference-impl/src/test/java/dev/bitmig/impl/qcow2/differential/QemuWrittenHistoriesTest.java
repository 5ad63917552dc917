package dev.bitmig.impl.qcow2.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU writes, bitmig reads: random histories of qemu-img, qemu-io, a live QEMU (detached, quit or killed) and an
 * unaware raw writer, after which bitmig's reader must agree with QEMU's on every bitmap and qemu-img check must
 * find the image clean. Replays: {@code -Dbitmig.differential.seed=SEED -Ddifferential.histories=1}, or
 * {@code -Dbitmig.differential.replay=target/differential-failures/.../shrunk.json}.
 */
@Tag("qemu")
class QemuWrittenHistoriesTest {

    @TempDir
    Path work;

    @Test
    void qemuWrittenHistoriesReadTheSameInBitmig() throws Exception {
        QemuInstall qemu = DifferentialSettings.requireQemu();
        DifferentialSettings settings = DifferentialSettings.fromSystemProperties();
        try (SharedQemu shared = new SharedQemu(qemu)) {
            QemuWrites direction = new QemuWrites(qemu, shared, DifferentialSettings.unicodeArguments());
            FailureArchive<QemuHistory> archive = new FailureArchive<>(QemuHistory.class);
            List<QemuHistory> histories = settings.histories(direction::generate, archive);
            Campaign.Result r = new Campaign<>(direction, work, settings.failures(), KnownQemuBehaviour::explains,
                    archive).run(histories);
            System.out.println(settings.describe(qemu, "QEMU writes, bitmig reads", r) + "; "
                    + direction.runner().dedicatedStarts() + " QEMU processes started for quit or kill -9, "
                    + shared.starts() + " shared");
            assertThat(r.unexplained()).as("disagreements with %s (seeds, saved histories and images above)",
                    qemu.label()).isEmpty();
            assertThat(r.histories()).isEqualTo(histories.size());
            if (histories.size() >= 50) {
                assertThat(r.bitmaps()).as("bitmaps compared").isPositive();
                assertThat(r.nonEmpty()).as("bitmaps with dirty bits compared").isPositive();
                assertThat(r.inconsistent()).as("inconsistent bitmaps compared").isPositive();
            }
        }
    }
}
