package dev.bitmig.report;

import dev.bitmig.check.FuzzRun;
import dev.bitmig.check.HostileTraces;
import dev.bitmig.check.Replay;
import dev.bitmig.check.TraceFormatException;
import dev.bitmig.check.TraceJson;
import dev.bitmig.check.ValidTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line run in-process on generated argument vectors ({@link HostileArguments}) and on hostile trace files
 * ({@link HostileTraces}). Every run exits 0, 1 or 2; bad input exits 2, never 1; exit 2 prints exactly one line on
 * stderr that names what was wrong and nothing on stdout; no exception name or stack frame is printed anywhere.
 *
 * <p>Cases: 0.05 × fuzz.cases argument vectors and 0.03 × fuzz.cases trace files (250 and 150 by default, a few
 * seconds; 50,000 and 30,000 under {@code -Pfuzz}); {@code -Dfuzz.seed} and {@code -Dfuzz.case} replay one case (see
 * {@link FuzzRun}). A failing case's arguments are saved under target/fuzz-failures/ one per line, as JSON strings.
 */
class BadArgumentsFuzzTest {
    static final long CASE_TIMEOUT_MS = 10_000;
    /** As the trace fuzzer's: a hostile trace file of about 10 MiB takes up to about 280 MiB as a JSON tree. */
    static final long ALLOCATION_BOUND = 512L << 20;

    /** What is wrong with one run's answer, or null. */
    static String problem(HostileArguments.Argv a, MainTest.Run r) {
        String all = r.out() + r.err();
        if (all.contains("Exception") || all.contains("\tat ") || all.contains("Error:")) {
            return "printed an exception or a stack trace: " + FuzzRun.abbreviate(r.err(), 600);
        }
        if (r.code() < 0 || r.code() > 2) {
            return "exit " + r.code();
        }
        if (a.expect() == HostileArguments.Expect.BAD_INPUT && r.code() != Main.BAD_INPUT) {
            return "exit " + r.code() + " for bad input; stdout " + FuzzRun.abbreviate(r.out(), 300);
        }
        if (a.expect() == HostileArguments.Expect.CHECKED && r.code() == Main.BAD_INPUT) {
            return "exit 2 for valid input: " + FuzzRun.abbreviate(r.err(), 300);
        }
        if (r.code() == Main.BAD_INPUT) {
            if (r.errLines().size() != 1) {
                return "stderr has " + r.errLines().size() + " lines, not one: " + FuzzRun.abbreviate(r.err(), 600);
            }
            if (!r.out().isEmpty()) {
                return "exit 2 with output on stdout: " + FuzzRun.abbreviate(r.out(), 300);
            }
            if (!a.culprits().isEmpty() && a.culprits().stream().noneMatch(r.err()::contains)) {
                return "the error names none of " + a.culprits() + ": " + FuzzRun.abbreviate(r.err(), 600);
            }
        }
        return null;
    }

    static byte[] described(HostileArguments.Argv a) {
        return a.args().stream().map(TraceJson::shown).collect(Collectors.joining("\n", "", "\n"))
                .getBytes(StandardCharsets.UTF_8);
    }

    static HostileArguments.Places places(Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("plain.txt"), "not a trace");
        Path sub = Files.createDirectories(dir.resolve("a-directory"));
        return new HostileArguments.Places(file, sub, dir.resolve("no-such-trace.json"),
                file.resolve("under-a-file.json"));
    }

    @Test
    void badArgumentsExitWithOneLine(@TempDir Path dir) throws IOException {
        HostileArguments.Places places = places(dir);
        int[] codes = new int[3];
        try (FuzzRun run = new FuzzRun("cli-fuzz", 0.05, 0xc1_f00dL, CASE_TIMEOUT_MS, ALLOCATION_BOUND)) {
            for (int i : run.cases()) {
                if (run.enoughFailures()) {
                    break;
                }
                HostileArguments.Argv a = HostileArguments.next(run.random(i), places);
                String what = a.what() + ": bitmig " + a.args().stream().map(TraceJson::shown)
                        .collect(Collectors.joining(" "));
                MainTest.Run r = run.run(i, what, described(a), ".args", () -> MainTest.run(a.array()));
                if (r == null) {
                    continue;
                }
                String problem = problem(a, r);
                if (problem != null) {
                    run.fail(i, what, described(a), ".args", problem, null);
                } else {
                    codes[r.code()]++;
                }
            }
            run.summary("exit 0: " + codes[0] + ", exit 1: " + codes[1] + ", exit 2: " + codes[2]);
            run.assertNoFailures();
        }
        assertThat(codes[2]).as("runs that exit 2").isPositive();
    }

    @Test
    void hostileTraceFilesExitWithOneLineOrReplay(@TempDir Path dir) throws IOException {
        var bases = ValidTraces.all().map(v -> HostileTraces.Base.of(v.label(), v.text()));
        int[] codes = new int[3];
        try (FuzzRun run = new FuzzRun("cli-trace-fuzz", 0.03, 0x7ace_c1L, CASE_TIMEOUT_MS, ALLOCATION_BOUND)) {
            for (int i : run.cases()) {
                if (run.enoughFailures()) {
                    break;
                }
                SplittableRandom random = run.random(i);
                HostileTraces.Hostile h = HostileTraces.mutate(random, bases.get(random.nextInt(bases.size())));
                Path file = Files.write(dir.resolve("hostile-" + i + ".json"), h.bytes());
                HostileArguments.Argv a = new HostileArguments.Argv(List.of("replay", file.toString()),
                        readable(h.bytes()) ? HostileArguments.Expect.CHECKED : HostileArguments.Expect.BAD_INPUT,
                        List.of(file.getFileName().toString()), h.what());
                MainTest.Run r = run.run(i, h.what(), h.bytes(), ".json", () -> MainTest.run(a.array()));
                Files.delete(file);
                if (r == null) {
                    continue;
                }
                String problem = problem(a, r);
                if (problem != null) {
                    run.fail(i, h.what(), h.bytes(), ".json", problem, null);
                } else {
                    codes[r.code()]++;
                }
            }
            run.summary("replay exit 0: " + codes[0] + ", exit 1: " + codes[1] + ", exit 2: " + codes[2]);
            run.assertNoFailures();
        }
        assertThat(codes[2]).as("hostile traces refused").isPositive();
    }

    /** Whether the trace reads and replays, as the checker itself says. */
    static boolean readable(byte[] bytes) {
        try {
            Replay.of(TraceJson.parse(bytes, "t.json"));
            return true;
        } catch (TraceFormatException e) {
            return false;
        }
    }
}
