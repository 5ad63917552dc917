package dev.bitmig.live;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A run whose JVM dies midway leaves no QEMU process and, after the next launcher's sweep, no files. */
@Tag("qemu")
class CleanupTest {
    Path root;
    Process child;

    @BeforeAll
    static void requireQemu() {
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
    }

    @BeforeEach
    void privateRoot() throws IOException {
        root = Files.createTempDirectory("bitmig-cleanup-test-");
    }

    @AfterEach
    void tidy() throws IOException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
        QemuLauncher.sweepStale(root);
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.toList()).isEmpty();
        }
        Files.delete(root);
    }

    record Started(Path runDir, List<Long> pids) {
    }

    Started startChild(boolean dieWithParent) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ChildRun.class.getName(),
                root.toString(), Boolean.toString(dieWithParent))
                .redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            String line = r.readLine();
            if (line == null) {
                break;
            }
            seen.append(line).append('\n');
            if (line.startsWith("READY ")) {
                String[] f = line.split(" ");
                return new Started(Path.of(f[1]), List.of(Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
        }
        throw new AssertionError("child run did not start: " + seen);
    }

    /** Live (non-zombie) processes whose command line mentions the run directory. */
    static List<Long> processesOf(Path runDir) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String n = p.getFileName().toString();
                if (n.chars().allMatch(Character::isDigit)
                        && QemuLauncher.commandLineMentions(Long.parseLong(n), runDir.toString())) {
                    out.add(Long.parseLong(n));
                }
            }
        }
        return out;
    }

    static List<Long> awaitNoProcesses(Path runDir, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        List<Long> left = processesOf(runDir);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = processesOf(runDir);
        }
        return left;
    }

    @Test
    void sigkilledJvmTakesItsQemusAlongAndSweepRemovesFiles() throws Exception {
        Started s = startChild(true);
        assertThat(processesOf(s.runDir())).containsExactlyInAnyOrderElementsOf(s.pids());
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        assertThat(awaitNoProcesses(s.runDir(), 10_000)).as("QEMU processes after parent death").isEmpty();
        assertThat(s.runDir()).exists(); // nobody could delete it ...
        assertThat(QemuLauncher.sweepStale(root)).isEqualTo(1); // ... until the next run sweeps it
        assertThat(s.runDir()).doesNotExist();
    }

    @Test
    void withoutParentDeathSignalSweepKillsOrphans() throws Exception {
        Started s = startChild(false);
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(500);
        // QEMU does not exit when its QMP client (or its parent) disappears.
        assertThat(processesOf(s.runDir())).containsExactlyInAnyOrderElementsOf(s.pids());
        assertThat(QemuLauncher.sweepStale(root)).isEqualTo(1);
        assertThat(awaitNoProcesses(s.runDir(), 10_000)).isEmpty();
        assertThat(s.runDir()).doesNotExist();
    }

    @Test
    void liveCheckKilledMidwayLeavesNothingBehind() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ChildLiveRun.class.getName(),
                root.toString()).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = r.readLine()) != null && !line.startsWith("READY ")) {
            seen.append(line).append('\n');
        }
        assertThat(line).as("child output: " + seen).startsWith("READY ");
        Thread.sleep(700); // somewhere inside a later sequence
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL midway: no shutdown hook runs
        assertThat(awaitNoProcesses(root, 10_000)).as("QEMU processes after the checker's JVM died").isEmpty();
        QemuLauncher.sweepStale(root);
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.toList()).as("files left under the run root").isEmpty();
        }
    }

    @Test
    void terminatedJvmCleansUpInShutdownHook() throws Exception {
        Started s = startChild(false);
        child.destroy(); // SIGTERM: shutdown hooks run
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(awaitNoProcesses(s.runDir(), 10_000)).isEmpty();
        assertThat(s.runDir()).doesNotExist();
    }
}
