package dev.bitmig.live;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.Trace;
import dev.bitmig.check.Verdict;
import dev.bitmig.check.VerdictMatrix;
import dev.bitmig.model.Action;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.report.Reproducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every counterexample of the QEMU under test's own row, QEMU_7_2 or QEMU_10_0 (each violated cell's shortest and each
 * violation class's; each distinct sequence once; with -Dbitmig.reproducers=all every policy's too) becomes the
 * report's Python reproducer, which runs against the QEMU under test (PATH, or -Dlive.qemu=PREFIX) and must exit with the code
 * the live runner's own replay of the same sequence predicts: 1 when QEMU shows the violation, 0 when it does not, 2
 * when a step cannot be mapped. The outputs are kept in target/reproducers/.
 */
@Tag("qemu")
class ReproducersOnQemuTest {
    static final Path DIR = Path.of("target/reproducers");

    @BeforeAll
    static void requireQemuAndPython() {
        assumeTrue("false".equals(System.getProperty("bitmig.live.skip")), "real-QEMU tests run with -Pqemu-live");
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
        assumeTrue(Tools.onPath("python3").isPresent(), "python3 not on PATH");
    }

    @TestFactory
    Stream<DynamicTest> everyReproducerExitsWithTheCodeTheLiveRunnerPredicts() throws Exception {
        Files.createDirectories(DIR);
        LiveChecker live = new LiveCampaign().checker();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Trace> e : counterexamples().entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> runs(DIR, e.getKey(), e.getValue(), live)));
        }
        assertThat(tests).as("the policies have counterexamples").isNotEmpty();
        return tests.stream();
    }

    @org.junit.jupiter.api.Test
    void aReproducerGivenBadArgumentsSaysSoInOneLineAndExits2() throws Exception {
        Files.createDirectories(DIR);
        Path script = DIR.resolve("bad-arguments.py");
        Files.writeString(script, Reproducer.of(counterexamples().values().iterator().next()), StandardCharsets.UTF_8);
        for (List<String> args : List.of(List.of("--qemu", "/nonexistent-prefix"), List.of("--no-such-option"))) {
            List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
            cmd.addAll(args);
            Tools.Result r = Tools.run(cmd, java.time.Duration.ofMinutes(1));
            assertThat(r.exitCode()).as("%s: %s", args, r.output()).isEqualTo(2);
            assertThat(r.output().strip().lines()).as("%s", args).singleElement().asString().startsWith("cannot run: ");
        }
    }

    /**
     * Each violated cell's shortest counterexample and each class's, of every policy, by the report's page names; a
     * sequence that several pages share (policies often break an invariant the same way) runs once, under its first name.
     */
    static synchronized Map<String, Trace> counterexamples() {
        if (all == null) {
            all = explore();
        }
        return all;
    }

    private static Map<String, Trace> all;

    private static Map<String, Trace> explore() {
        // The QEMU under test's own row (QEMU_7_2 or QEMU_10_0): its counterexamples are what that QEMU should show.
        // -Dbitmig.reproducers=all adds every other policy's (QEMU's behaviour on the sequences that break a proposal),
        // after it, so that a sequence it shares with them keeps the name of its page.
        Policy own = QemuInstall.policy();
        io.vavr.collection.List<Policy> policies = "all".equals(System.getProperty("bitmig.reproducers"))
                ? Policies.ALL.sortBy(p -> p != own) : io.vavr.collection.List.of(own);
        VerdictMatrix m = VerdictMatrix.explore(policies, Bounds.DEFAULT, 2, p -> { });
        Map<String, Trace> out = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ExplorationResult r : m.rows()) {
            for (Invariant inv : Invariant.values()) {
                if (r.verdicts().get(inv).get() instanceof Verdict.Violated v) {
                    List<Trace> traces = new ArrayList<>(List.of(VerdictMatrix.trace(r, inv, v)));
                    r.classesOf(inv).forEach(f -> traces.add(VerdictMatrix.trace(r, inv, f.counterexample())));
                    for (int k = 0; k < traces.size(); k++) {
                        Trace t = traces.get(k);
                        if (seen.add(t.initial() + " " + t.actions())) {
                            out.put(page(r, inv) + (k == 0 ? "" : "-" + k), t);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String page(ExplorationResult r, Invariant inv) {
        return ("ce-" + r.policy() + "-" + inv.title()).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * The reproducer of {@code t}, written to DIR/NAME.py and run against the QEMU under test (its output in
     * DIR/NAME.out), exits with the code that the live runner's replay of the same sequence predicts; the replay itself
     * must not be a harness error. Returns the replay and the run.
     */
    static Ran runs(Path dir, String name, Trace t, LiveChecker live) throws java.io.IOException {
        Path script = dir.resolve(name + ".py");
        Files.writeString(script, Reproducer.of(t), StandardCharsets.UTF_8);
        LiveChecker.Replay predicted = predict(live, name, t.fromRunningSource(), t.configuration().geometry());
        assertThat(predicted.status()).as("the live runner's replay: %s", predicted.label())
                .isNotEqualTo(LiveChecker.Status.ERROR);
        Tools.Result ran = runPython(script);
        Files.writeString(dir.resolve(name + ".out"), ran.output(), StandardCharsets.UTF_8);
        assertThat(ran.exitCode()).as("the reproducer's exit code (live runner: %s)\n%s", predicted.label(),
                ran.output()).isEqualTo(predicted.expectedReproducerExit());
        return new Ran(predicted, ran);
    }

    /** A reproducer's run and the live runner's replay it was checked against. */
    record Ran(LiveChecker.Replay predicted, Tools.Result run) { }

    /** The live runner's replay; a harness error (e.g. a QEMU slow to answer on a loaded machine) predicts nothing: once more. */
    static LiveChecker.Replay predict(LiveChecker live, String name, List<Action> sequence, dev.bitmig.model.Geometry g) {
        LiveChecker.Replay predicted = live.replay(name, sequence, g);
        return predicted.status() == LiveChecker.Status.ERROR ? live.replay(name, sequence, g) : predicted;
    }

    /**
     * python3 SCRIPT [--qemu PREFIX]: the same QEMU as the live runner's. A command the monitor misreads (seen on both
     * QEMUs in CI runs: "JSON parse error, invalid keyword 'x'", "QMP input member 'exeucte' is unexpected") is
     * sent again by the reproducer itself (ReproducerResendsAMisreadCommandTest).
     */
    static Tools.Result runPython(Path script) {
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
        QemuInstall.prefix().ifPresent(p -> cmd.addAll(List.of("--qemu", p.toString())));
        return Tools.run(cmd, java.time.Duration.ofMinutes(3));
    }
}
