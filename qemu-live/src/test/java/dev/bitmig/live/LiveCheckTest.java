package dev.bitmig.live;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The model against real QEMU: generated sequences (quick mode 30, {@code -Dlive.sequences=N} for more) and every
 * thread scenario replayed as a counterexample. Writes target/findings-RELEASE.json and .md, and target/findings.md (every release that ran, side by side). Disagreements
 * are findings, not test failures; the test fails only when the harness itself breaks.
 */
@Tag("qemu")
class LiveCheckTest {
    @BeforeAll
    static void requireQemu() {
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
    }

    @Test
    void modelAgainstQemu() throws Exception {
        int n = Integer.getInteger("live.sequences", 30);
        int shrink = Integer.getInteger("live.shrinkReplays", n > 100 ? 40 : 20);
        LiveCampaign c = new LiveCampaign();
        // Quick mode keeps the whole run within five minutes: shrinking gets what the sequences leave.
        java.time.Duration budget = java.time.Duration.ofSeconds(Long.getLong("live.shrinkSeconds", n > 100 ? 1800 : 75));
        LiveCampaign.Report r = c.run(n, shrink, budget, LiveCampaign.threadScenarios());
        Path out = Path.of("target");
        LiveCampaign.write(r, out);
        assertThat(Files.size(out.resolve("findings-" + FindingsSideBySide.release(r.qemuVersion()) + ".json"))).isPositive();
        assertThat(Files.readString(out.resolve("findings.md"))).contains("QEMU " + r.qemuVersion());
        assertThat(r.sequences()).isEqualTo(n);
        assertThat(r.agree() + r.disagree()).as("sequences compared").isPositive();
        assertThat(r.errors()).as("harness errors: " + r.errorNotes()).isLessThanOrEqualTo(Math.max(1, n / 20));
        assertThat(r.replays()).hasSize(dev.bitmig.model.scenario.ThreadScenarios.ALL.size());
        assertThat(r.replays()).allSatisfy(p -> assertThat(p.label()).matches("reproduced on QEMU .*|not reproduced.*"));
    }
}
