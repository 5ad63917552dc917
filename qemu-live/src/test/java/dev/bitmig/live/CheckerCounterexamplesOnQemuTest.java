package dev.bitmig.live;

import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every counterexample the checker found for the policy of the QEMU under test (QEMU_7_2 or QEMU_10_0) (the committed golden matrix) is replayed on real QEMU and
 * labelled "reproduced on QEMU version" or "not reproduced", with QEMU's observed state. Written to
 * target/checker-counterexamples.md.
 */
@Tag("qemu")
class CheckerCounterexamplesOnQemuTest {
    static final Path GOLDEN = Path.of("../properties/src/test/resources/golden/verdicts-default.json");

    @BeforeAll
    static void requireQemu() {
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
    }

    @Test
    void everyUpstreamCounterexampleOfTheCheckerIsReplayedOnQemu() throws Exception {
        Map<String, List<Action>> ces = CheckerCounterexamples.of(GOLDEN, QemuInstall.policy().name());
        assertThat(ces).as("the golden matrix has counterexamples for the QEMU under test").isNotEmpty();
        LiveCampaign campaign = new LiveCampaign();
        Geometry g = new Geometry(CheckerCounterexamples.clusters(GOLDEN));
        StringBuilder md = new StringBuilder("# The checker's " + QemuInstall.policy().name() + " counterexamples on real QEMU\n\n");
        for (var e : ces.entrySet()) {
            LiveChecker.Replay r = campaign.checker().replay(e.getKey(), e.getValue(), g);
            assertThat(r.label()).matches("reproduced on QEMU .*|not reproduced.*");
            md.append("## ").append(e.getKey()).append("\n\n**").append(r.label()).append("**\n\n")
                    .append("Actions: ").append(r.actions()).append("\n\nModel violations: ").append(r.modelViolations())
                    .append("; QEMU violations: ").append(r.qemuViolations()).append("\n\n```\n")
                    .append(r.observedState()).append("```\n\n");
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/checker-counterexamples.md"), md.toString(), StandardCharsets.UTF_8);
    }
}
