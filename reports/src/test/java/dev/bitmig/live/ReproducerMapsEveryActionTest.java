package dev.bitmig.live;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.report.Reproducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kind of the model's action alphabet has its step in a reproducer's runtime (one method of its Steps class per
 * kind, as LiveMapper has one visit per kind): a kind without one would end the script in a Python traceback, whose
 * exit status 1 would claim that QEMU shows the violation.
 */
class ReproducerMapsEveryActionTest {
    @TempDir
    Path dir;

    @Test
    void everyActionKindHasItsStepInTheReproducer() throws Exception {
        assumeTrue(Tools.onPath("python3").isPresent(), "python3 not on PATH");
        Path script = dir.resolve("reproducer.py");
        Trace any = new Trace(Bounds.DEFAULT, "QEMU_7_2", io.vavr.collection.List.empty(), InitialWorld.BITMAP_LOADED,
                io.vavr.collection.List.of(new Action.Quit(NodeId.SOURCE)), "NoSilentLoss", "any counterexample");
        Files.writeString(script, Reproducer.of(any), StandardCharsets.UTF_8);
        List<String> kinds = Arrays.stream(Action.class.getPermittedSubclasses()).map(Class::getSimpleName).toList();
        assertThat(kinds).hasSizeGreaterThan(20);
        List<String> cmd = new ArrayList<>(List.of("python3", "-c",
                "import runpy, sys\n"
                        + "steps = runpy.run_path(sys.argv[1], run_name='reproducer')['Steps']\n"
                        + "print(' '.join(k for k in sys.argv[2:] if not callable(getattr(steps, k, None))))",
                script.toString()));
        cmd.addAll(kinds);
        Tools.Result r = Tools.run(cmd, Duration.ofMinutes(1));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output().strip()).as("action kinds without a step in the reproducer").isEmpty();
    }
}
