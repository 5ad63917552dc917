package dev.bitmig.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitmig.check.Bounds;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.TraceJson;
import dev.bitmig.check.Verdict;
import dev.bitmig.check.VerdictMatrix;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Policies;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    record Run(int code, String out, String err) {
        java.util.List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static void badInput(Run r, String containing) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains(containing).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void policiesListsEveryRegisteredPolicy() {
        Run r = run("policies");
        assertThat(r.code()).isZero();
        for (String name : Policies.names()) {
            assertThat(r.out()).contains(name);
        }
        assertThat(r.out().lines().filter(l -> !l.isBlank() && !l.startsWith(" "))).hasSize(Policies.ALL.size());
    }

    @Test
    void unknownPolicyListsTheValidOnes() {
        for (String cmd : java.util.List.of("check", "explore")) {
            Run r = run(cmd, "--policy", "NOPE", "--depth", "1");
            badInput(r, "NOPE");
            assertThat(r.err()).contains("QEMU_10_0").contains("CANARY_MERGE");
        }
    }

    @Test
    void negativeDepthAndTooFewClusters() {
        badInput(run("check", "--policy", "QEMU_10_0", "--depth", "-1"), "depth");
        badInput(run("explore", "--all", "--depth", "-3"), "depth");
        badInput(run("report", "--depth", "-1"), "depth");
        badInput(run("explore", "--all", "--clusters", "0"), "clusters");
        badInput(run("explore", "--all", "--mirror", "3"), "--mirror granularities must be powers of two up to 1024, got 3");
        badInput(run("check", "--all", "--mirror", "1,x"), "x");
    }

    @Test
    void exploreTakesMirrorJobsIntoItsBounds() throws Exception {
        Run r = run("explore", "--policy", "QEMU_10_0", "--depth", "2", "--mirror", "1,2", "--json");
        assertThat(r.err()).isEmpty();
        JsonNode doc = TraceJson.MAPPER.readTree(r.out());
        JsonNode mirror = doc.get("configuration").get("mirrorGranularities");
        assertThat(mirror.get(0).asInt()).isEqualTo(1);
        assertThat(mirror.get(1).asInt()).isEqualTo(2);
        Run without = run("explore", "--policy", "QEMU_10_0", "--depth", "2", "--json");
        int plain = TraceJson.MAPPER.readTree(without.out()).get("results").get(0).get("states").asInt();
        assertThat(doc.get("results").get(0).get("states").asInt()).as("states with mirror jobs").isGreaterThan(plain);
    }

    @Test
    void unknownOptionAndNonNumbers() {
        badInput(run("check", "--bogus"), "--bogus");
        badInput(run("--bogus"), "--bogus");
        badInput(run("replay", "--bogus", "x.json"), "--bogus");
        badInput(run("check", "--depth", "many"), "many");
        badInput(run("nonsense"), "nonsense");
    }

    @Test
    void unreadableTrace(@TempDir Path dir) {
        badInput(run("replay", dir.resolve("missing.json").toString()), "missing.json");
        badInput(run("replay", dir.toString()), "cannot read");
        badInput(run("report", "--out", writeFile(dir.resolve("file"), "x").toString()), "not a directory");
    }

    @Test
    void malformedAndTruncatedTrace(@TempDir Path dir) throws Exception {
        badInput(run("replay", writeFile(dir.resolve("m.json"), "{\"policy\": 3, [").toString()), "m.json");
        Path good = writtenTrace(dir);
        String text = Files.readString(good);
        badInput(run("replay", writeFile(dir.resolve("t.json"), text.substring(0, text.length() / 2)).toString()), "t.json");
        badInput(run("replay", writeFile(dir.resolve("p.json"), text.replace("\"QEMU_2_12\"", "\"NOPE\"")).toString()),
                "NOPE");
        badInput(run("replay", writeFile(dir.resolve("a.json"), "[1, 2]").toString()), "a.json");
    }

    @Test
    void checkJsonHasTheFieldNames() throws Exception {
        Run r = run("check", "--policy", "QEMU_10_0", "--depth", "2", "--tries", "20", "--json");
        assertThat(r.err()).isEmpty();
        JsonNode doc = TraceJson.MAPPER.readTree(r.out());
        assertThat(doc.get("configuration").get("depth").asInt()).isEqualTo(2);
        assertThat(doc.get("results")).hasSize(Invariant.values().length);
        for (JsonNode c : doc.get("results")) {
            assertThat(c.get("policy").asText()).isEqualTo("QEMU_10_0");
            assertThat(Invariant.byTitle(c.get("invariant").asText()).isDefined()).isTrue();
            String verdict = c.get("verdict").asText();
            assertThat(verdict).isIn("holds", "violated");
            if (verdict.equals("holds")) {
                assertThat(c.get("states").asLong()).isPositive();
                assertThat(c.get("depth").asInt()).isBetween(0, 2);
            } else {
                assertThat(c.get("counterexample").get("length").asInt())
                        .isEqualTo(c.get("counterexample").get("actions").size());
            }
        }
        assertThat(doc.get("random").get(0).get("policy").asText()).isEqualTo("QEMU_10_0");
        boolean anyViolated = doc.get("results").findValuesAsText("verdict").contains("violated");
        assertThat(r.code()).isEqualTo(anyViolated ? 1 : 0);
    }

    @Test
    void exitCodeZeroWhenEverythingHolds() {
        Run r = run("explore", "--policy", "CANARY_MERGE", "--depth", "0");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("holds");
    }

    @Test
    void replayOfAWrittenTraceReproducesAndNamesTheInvariant(@TempDir Path dir) throws Exception {
        Path trace = writtenTrace(dir);
        Run r = run("replay", trace.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        String invariant = TraceJson.read(trace).invariant();
        assertThat(r.out()).contains("reproduces").contains(invariant);
        assertThat(r.err()).isEmpty();
    }

    /** The shortest counterexample of QEMU 2.12 at depth 4, saved as the report does. */
    static Path writtenTrace(Path dir) throws Exception {
        VerdictMatrix m = VerdictMatrix.explore(List.of(Policies.QEMU_2_12), Bounds.DEFAULT.withDepth(4), 2, p -> { });
        ExplorationResult r = m.rows().head();
        var cell = r.verdicts().find(e -> !e._2.holds()).get();
        Path f = dir.resolve("trace.json");
        TraceJson.write(VerdictMatrix.trace(r, cell._1, (Verdict.Violated) cell._2), f);
        return f;
    }

    static Path writeFile(Path p, String text) {
        try {
            return Files.writeString(p, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void checkPrintsOneLinePerClassWithItsLength() {
        Run r = run("explore", "--policy", "QEMU_10_0", "--depth", "4");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).containsPattern("NoUnderReport +VIOLATED: \\d+ classes")
                .contains(" 4 steps  target-ram/persistent/aware-tool/this-inactive@handed-over/completed")
                .contains("QEMU_10_0 NoUnderReport target-ram/persistent/aware-tool/this-inactive@handed-over/completed (4 steps")
                .contains("fingerprint collision probability");
    }

    @Test
    void withoutAndOnlySelectActionKindsAndTheJsonRecordsIt() throws Exception {
        Run r = run("explore", "--policy", "QEMU_10_0", "--depth", "3", "--only", "MigrateStart,Quit,Launch", "--json");
        assertThat(r.code()).as(r.err()).isIn(0, 1);
        var doc = dev.bitmig.check.TraceJson.MAPPER.readTree(r.out());
        assertThat(doc.get("configuration").get("without").toString()).contains("\"GuestWrite\"")
                .doesNotContain("\"Quit\"").doesNotContain("\"MigrateStart\"");
        Run w = run("explore", "--policy", "QEMU_10_0", "--depth", "3", "--without", "ForeignWrite", "--json");
        assertThat(dev.bitmig.check.TraceJson.MAPPER.readTree(w.out()).get("configuration").get("without").toString())
                .isEqualTo("[\"ForeignWrite\"]");
    }

    @Test
    void anUnknownKindOrBothSelectionsAreBadInput() {
        badInput(run("explore", "--policy", "QEMU_10_0", "--without", "ForeignWrites"), "unknown action kind \"ForeignWrites\"");
        badInput(run("explore", "--policy", "QEMU_10_0", "--without", "Quit", "--only", "Launch"),
                "give --without or --only, not both");
    }
}
