package dev.bitmig.check;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile trace files (see {@link HostileTraces}) made from valid ones. Each must either read as a trace that replays
 * and writes back to the same trace, or raise {@link TraceFormatException} whose one-line message names the place:
 * a field path, or a line and column, or a byte offset. Nothing else may escape, and each case stays within a time and
 * an allocation bound.
 *
 * <p>Cases: 0.4 × fuzz.cases (5,000 in the build, 10^6 under the {@code fuzz} profile), so 2,000 by default (about
 * 6 s) and 400,000 under {@code -Pfuzz}; {@code -Dfuzz.seed} and {@code -Dfuzz.case} replay one case (see
 * {@link FuzzRun}), and a failing case's file, saved under target/fuzz-failures/, replays with {@code bitmig replay}.
 */
class HostileTraceFuzzTest {
    static final String FILE = "hostile.json";
    static final long CASE_TIMEOUT_MS = 5_000;
    /**
     * Hostile files reach about 10 MiB; a JSON tree of deeply nested arrays takes up to 30 times its text (measured under
     * -Pfuzz: at most about 280 MiB per case).
     */
    static final long ALLOCATION_BOUND = 512L << 20;
    static final int LONGEST_MESSAGE = 1_000;

    /** Where a message may say the problem is. */
    static final Pattern PLACE = Pattern.compile("^(" + Pattern.quote(FILE) + ": )?("
            + "(configuration|policy|faults|initial|actions|invariant|message)(\\[\\d+])?([.\\[: ]|$)"
            + "|not valid JSON at line \\d+, column \\d+: "
            + "|not valid UTF-8 at byte \\d+"
            + "|a trace must be a JSON object"
            + "|missing field \"[a-zA-Z]+\""
            + "|\\d+ bytes, more than a trace file may have)");

    /** What happened to one case: null when it was a valid trace, else the error's message. */
    record Outcome(String error) {
    }

    static Outcome judge(byte[] bytes) throws Exception {
        Trace t;
        try {
            t = TraceJson.parse(bytes, FILE);
            Replay.of(t);
        } catch (TraceFormatException e) {
            return new Outcome(e.getMessage());
        }
        Trace again = TraceJson.parse(TraceJson.MAPPER.writeValueAsBytes(TraceJson.trace(t)), FILE);
        if (!again.equals(t)) {
            throw new AssertionError("a valid trace does not write back to itself: " + t + " became " + again);
        }
        return new Outcome(null);
    }

    static boolean namesThePlaceOnOneLine(String m) {
        return !m.contains("\n") && !m.contains("\r") && m.length() <= LONGEST_MESSAGE && PLACE.matcher(m).find();
    }

    @Test
    void everyHostileTraceEndsInATypedErrorOrReplays() {
        long start = System.nanoTime();
        var bases = ValidTraces.all().map(v -> HostileTraces.Base.of(v.label(), v.text()));
        System.out.printf("trace-fuzz: %d valid traces to start from, made in %.1f s%n", bases.size(),
                (System.nanoTime() - start) / 1e9);
        int valid = 0;
        int rejected = 0;
        Map<String, Integer> kinds = new TreeMap<>();
        try (FuzzRun run = new FuzzRun("trace-fuzz", 0.4, 0x7ace_f11eL, CASE_TIMEOUT_MS, ALLOCATION_BOUND)) {
            for (int i : run.cases()) {
                if (run.enoughFailures()) {
                    break;
                }
                SplittableRandom r = run.random(i);
                HostileTraces.Hostile h = HostileTraces.mutate(r, bases.get(r.nextInt(bases.size())));
                Outcome o = run.run(i, h.what(), h.bytes(), ".json", () -> judge(h.bytes()));
                if (o == null) {
                    continue; // recorded as a failure
                }
                if (o.error() == null) {
                    valid++;
                } else if (namesThePlaceOnOneLine(o.error())) {
                    rejected++;
                    kinds.merge(o.error().replaceFirst(Pattern.quote(FILE) + ": ", "")
                            .replaceAll("[:\\[.(\" ].*", ""), 1, Integer::sum);
                } else {
                    run.fail(i, h.what(), h.bytes(), ".json", "the message is not one line of at most "
                            + LONGEST_MESSAGE + " characters that names the place: "
                            + FuzzRun.abbreviate(o.error(), 600), null);
                }
            }
            run.summary(rejected + " rejected with TraceFormatException, " + valid + " valid and replayed; errors by"
                    + " first word " + kinds);
            run.assertNoFailures();
        }
        assertThat(rejected).as("hostile traces rejected").isPositive();
    }

    @Test
    void aTraceCutAfterAnyTokenIsAJsonErrorThatSaysWhere() throws Exception {
        int cuts = 0;
        for (var v : ValidTraces.all()) {
            HostileTraces.Base b = HostileTraces.Base.of(v.label(), v.text());
            int[] ends = b.tokenEnds();
            for (int k = 0; k < ends.length - 1; k++) {
                byte[] cut = java.util.Arrays.copyOf(b.bytes(), ends[k]);
                Outcome o = judge(cut);
                assertThat(o.error()).as("%s cut after token %d (byte %d)", v.label(), k, ends[k])
                        .isNotNull().matches(HostileTraceFuzzTest::namesThePlaceOnOneLine, "names the place");
                cuts++;
            }
            assertThat(judge(java.util.Arrays.copyOf(b.bytes(), ends[ends.length - 1])).error()).as(v.label()).isNull();
        }
        System.out.println("trace-fuzz: " + cuts + " truncations after a token, each a TraceFormatException");
    }
}
