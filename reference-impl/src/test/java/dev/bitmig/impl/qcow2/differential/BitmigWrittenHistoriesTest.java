package dev.bitmig.impl.qcow2.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bitmig writes, QEMU reads: random bitmap sets written, replaced, re-flagged and removed by bitmig's image and
 * store, after which qemu-img check, qemu-img info, QEMU's loaded bitmaps and qemu-img's merge all agree with
 * bitmig. Replays: {@code -Dbitmig.differential.seed=SEED -Ddifferential.histories=1}, or
 * {@code -Dbitmig.differential.replay=target/differential-failures/.../shrunk.json}.
 */
@Tag("qemu")
class BitmigWrittenHistoriesTest {

    @TempDir
    Path work;

    @Test
    void bitmigWrittenHistoriesReadTheSameInQemu() throws Exception {
        QemuInstall qemu = DifferentialSettings.requireQemu();
        DifferentialSettings settings = DifferentialSettings.fromSystemProperties();
        try (SharedQemu shared = new SharedQemu(qemu)) {
            BitmigWrites direction = new BitmigWrites(qemu, shared, DifferentialSettings.unicodeArguments());
            FailureArchive<BitmigHistory> archive = new FailureArchive<>(BitmigHistory.class);
            List<BitmigHistory> histories = settings.histories(direction::generate, archive);
            Campaign.Result r = new Campaign<>(direction, work, settings.failures(), KnownQemuBehaviour::explains,
                    archive).run(histories);
            System.out.println(settings.describe(qemu, "bitmig writes, QEMU reads", r) + "; " + shared.starts()
                    + " shared QEMU processes");
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
