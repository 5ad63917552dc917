package dev.bitmig.live;

import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.Capabilities;
import dev.bitmig.report.Iotest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Profile iotests: every counterexample (of every policy, each distinct sequence once) that the live runner reproduces
 * on the system's QEMU becomes a qemu-iotests test, which runs under QEMU's own ./check on the same QEMU version built from source
 * (iotests/build-qemu) and fails on the assertion that names the violated invariant (a lost disk too: its failing step
 * must fail with QEMU's text); a generated test of a sequence the live runner does not reproduce passes.
 */
@Tag("qemu")
class GeneratedIotestsTest {
    static final Path DIR = Path.of("target/iotests");
    static final Path SCRIPTS = Path.of("../iotests");
    /** The QEMU of the build, the same version as the live runner's: 10.0.2 with -Dlive.qemu, otherwise 7.2. */
    static final String QEMU = System.getProperty("live.qemu", "").isEmpty() ? "7.2" : "10.0.2";

    @BeforeAll
    static void requireTheProfileAndQemu() {
        assumeTrue(Boolean.getBoolean("bitmig.iotests"), "profile iotests is off");
        assumeTrue("false".equals(System.getProperty("bitmig.live.skip")), "real-QEMU tests run with -Pqemu-live");
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
        Tools.Result built = Tools.run(List.of(SCRIPTS.resolve("build-qemu").toString(), "--qemu", QEMU),
                Duration.ofMinutes(60));
        assertThat(built.exitCode()).as("iotests/build-qemu\n%s", built.output()).isZero();
    }

    /** QEMU's answer to a command it could not read as sent (monitor/qmp.c, qapi/qmp-dispatch.c). */
    static final java.util.regex.Pattern MISREAD = java.util.regex.Pattern.compile("JSON parse error|QMP input ");

    @TestFactory
    Stream<DynamicTest> everyReproducedCounterexampleIsAnIotestThatFailsOnTheViolation() throws Exception {
        Files.createDirectories(DIR);
        LiveChecker live = new LiveCampaign().checker();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Trace> e : ReproducersOnQemuTest.counterexamples().entrySet()) {
            String name = "bitmig-" + e.getKey().replaceFirst("^ce-", "");
            tests.add(DynamicTest.dynamicTest(name, () -> runs(name, e.getValue(), live)));
        }
        return tests.stream();
    }

    /**
     * The same for each class that --store-failures adds (its counterexample fills the volume): the test opens the image
     * through the blkdebug layer and switches it as the live runner does.
     */
    @TestFactory
    Stream<DynamicTest> everyReproducedFullVolumeClassIsAnIotestThatFailsOnTheViolation() throws Exception {
        Files.createDirectories(DIR);
        LiveChecker live = new LiveCampaign().withStoreFailures(true).checker();
        List<DynamicTest> tests = new ArrayList<>();
        CapabilityReproducersOnQemuTest.classTraces("store-failures", Capabilities.STORE_FAILURES,
                a -> a instanceof Action.VolumeFull).forEach((key, t) -> {
                    String name = "bitmig-" + key;
                    tests.add(DynamicTest.dynamicTest(name, () -> runs(name, t, live)));
                });
        assertThat(tests).as("--store-failures adds classes that fill the volume").isNotEmpty();
        return tests.stream();
    }

    /**
     * The counterexample's iotest, if there is one, runs under ./check: it fails on the assertion of the violation when
     * the live runner reproduces it, and passes otherwise; without one, the live runner must not reproduce it.
     */
    private static void runs(String name, Trace t, LiveChecker live) throws java.io.IOException {
        List<Action> sequence = t.fromRunningSource();
        LiveChecker.Replay predicted = live.replay(name, sequence, t.configuration().geometry());
        Iotest.Result iotest = Iotest.of(t, name, QemuInstall.policy());
        Files.writeString(DIR.resolve(name + ".why"), "live runner: " + predicted.label() + "\niotest: "
                + (iotest.generated() ? "generated" : "none, " + iotest.whyNot()) + "\nsequence: " + sequence + "\n",
                StandardCharsets.UTF_8);
        if (!iotest.generated()) {
            // Every counterexample without a test must be one that does not reproduce on QEMU.
            assertThat(predicted.reproduced()).as("no iotest (%s), but the live runner says %s",
                    iotest.whyNot(), predicted.label()).isFalse();
            return;
        }
        Path test = DIR.resolve(name);
        Files.writeString(test, iotest.test(), StandardCharsets.UTF_8);
        Files.writeString(DIR.resolve(name + ".out"), iotest.reference(), StandardCharsets.UTF_8);
        List<String> check = List.of(SCRIPTS.resolve("run").toString(), "--qemu", QEMU, test.toString());
        Tools.Result ran = Tools.run(check, Duration.ofMinutes(5));
        if (MISREAD.matcher(ran.output()).find()) {
            // The monitor misread a command (seen in CI runs on both QEMUs; the reproducer sends such a command
            // again, QEMU's iotests harness does not): not a verdict. The test runs once more; the first output
            // is kept beside it.
            Files.writeString(DIR.resolve(name + ".first.check"), ran.output(), StandardCharsets.UTF_8);
            ran = Tools.run(check, Duration.ofMinutes(5));
        }
        Files.writeString(DIR.resolve(name + ".check"), ran.output(), StandardCharsets.UTF_8);
        if (predicted.reproduced()) {
            assertThat(ran.exitCode()).as("./check fails the test\n%s", ran.output()).isNotZero();
            assertThat(ran.output()).as("it fails on the assertion of the violation, not in setup")
                    .contains("+AssertionError: ").contains(iotest.invariant() + ": after step");
            if (!iotest.failure().isEmpty()) {
                // The step the model fails (a failed reactivation) failed on QEMU with QEMU's own text.
                assertThat(ran.output()).as("the failing step fails with the model's text")
                        .contains("failed with '" + iotest.failure() + "'");
            }
        } else {
            assertThat(ran.exitCode()).as("./check passes the test (live runner: %s)\n%s", predicted.label(),
                    ran.output()).isZero();
        }
    }
}
