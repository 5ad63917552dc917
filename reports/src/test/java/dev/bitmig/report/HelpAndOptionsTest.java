package dev.bitmig.report;

import dev.bitmig.check.TraceJson;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line explains itself: --help on every command, help CMD, near misses, conflicting options. */
class HelpAndOptionsTest {

    @Test
    void everyCommandAnswersHelpWithEveryOptionItHas() {
        var root = Main.commandLine();
        for (var e : root.getSubcommands().entrySet()) {
            for (String form : new String[] {"--help", "-h"}) {
                MainTest.Run r = MainTest.run(e.getKey(), form);
                assertThat(r.code()).as("%s %s: %s", e.getKey(), form, r.err()).isZero();
                for (var option : e.getValue().getCommandSpec().options()) {
                    assertThat(r.out()).as("%s %s lists %s", e.getKey(), form, option.longestName())
                            .contains(option.longestName());
                }
            }
            if (!e.getKey().equals("help")) {
                MainTest.Run viaHelp = MainTest.run("help", e.getKey());
                assertThat(viaHelp.code()).isZero();
                assertThat(viaHelp.out()).isEqualTo(MainTest.run(e.getKey(), "--help").out());
            }
        }
    }

    /** The README's section on the command line. */
    static String readmeCommandLine() throws Exception {
        String readme = Files.readString(SpecDoc.root().orElseThrow().resolve("README.md"));
        int from = readme.indexOf("## The command line");
        assertThat(from).as("README has a section on the command line").isNotNegative();
        int to = readme.indexOf("\n## ", from + 1);
        return readme.substring(from, to < 0 ? readme.length() : to);
    }

    @Test
    void theReadmeNamesEveryCommandAndOptionAndEveryOptionItNamesIsInSomeHelp() throws Exception {
        String section = readmeCommandLine();
        var root = Main.commandLine();
        StringBuilder everyHelp = new StringBuilder();
        for (var e : root.getSubcommands().entrySet()) {
            assertThat(section.contains("`" + e.getKey()) || section.contains("bitmig " + e.getKey()))
                    .as("README names the command %s", e.getKey()).isTrue();
            MainTest.Run help = MainTest.run(e.getKey(), "--help");
            everyHelp.append(help.out());
            for (var option : e.getValue().getCommandSpec().options()) {
                assertThat(section).as("README names %s of %s", option.longestName(), e.getKey())
                        .contains("`" + option.longestName());
            }
        }
        var documented = java.util.regex.Pattern.compile("`(--[a-z][a-z-]*)").matcher(section).results()
                .map(m -> m.group(1)).distinct().toList();
        assertThat(documented).hasSizeGreaterThan(10);
        for (String option : documented) {
            assertThat(everyHelp.toString()).as("the option %s that README documents is in some --help", option)
                    .contains(option);
        }
    }

    @Test
    void kindsListsEveryActionKindAndEachIsAKindThatOnlyTakes() {
        MainTest.Run r = MainTest.run("kinds");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().toList()).containsExactlyElementsOf(dev.bitmig.check.ActionKinds.ALL);
        for (String kind : r.out().lines().toList()) {
            MainTest.Run only = MainTest.run("explore", "--policy", "QEMU_10_0", "--depth", "0", "--only", kind);
            assertThat(only.code()).as("--only %s: %s", kind, only.err()).isZero();
        }
    }

    @Test
    void aCounterexampleCutOutOfTheJsonOfCheckOrExploreReplaysAsItIs() throws Exception {
        for (String cmd : new String[] {"check", "explore"}) {
            MainTest.Run r = cmd.equals("check")
                    ? MainTest.run(cmd, "--policy", "QEMU_2_12", "--depth", "4", "--tries", "2", "--json")
                    : MainTest.run(cmd, "--policy", "QEMU_2_12", "--depth", "4", "--json");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            int replayed = 0;
            for (var cell : TraceJson.MAPPER.readTree(r.out()).get("results")) {
                if (!cell.has("counterexample")) {
                    continue;
                }
                java.util.List<com.fasterxml.jackson.databind.JsonNode> ces = new java.util.ArrayList<>();
                ces.add(cell.get("counterexample"));
                cell.get("classes").forEach(k -> ces.add(k.get("counterexample")));
                for (var ce : ces) {
                    Path file = Files.createTempFile("bitmig-cut", ".json");
                    Files.writeString(file, ce.toPrettyString());
                    MainTest.Run replay = MainTest.run("replay", file.toString());
                    assertThat(replay.code()).as("%s: %s %s", cmd, replay.out(), replay.err()).isEqualTo(1);
                    assertThat(replay.out()).contains("reproduces: " + cell.get("invariant").asText() + " is violated");
                    replayed++;
                }
            }
            assertThat(replayed).as("%s found counterexamples to replay", cmd).isPositive();
        }
    }

    @Test
    void policyNamesIgnoreCaseAndANearMissIsSuggested() {
        MainTest.Run r = MainTest.run("explore", "--policy", "qemu_10_0", "--depth", "2");
        assertThat(r.code()).as(r.err()).isIn(0, 1);
        MainTest.badInput(MainTest.run("explore", "--policy", "CANARY_MERGES", "--depth", "1"),
                "did you mean CANARY_MERGE?");
        MainTest.badInput(MainTest.run("explore", "--policy", "nothing-like-it", "--depth", "1"), "valid policies:");
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_UPSTREAM", "--depth", "1"),
                "QEMU_UPSTREAM is now QEMU_7_2 and QEMU_10_0");
    }

    @Test
    void conflictingOptionsAreBadInput() {
        MainTest.badInput(MainTest.run("explore", "--all", "--policy", "QEMU_10_0", "--depth", "1"),
                "give --policy NAME or --all, not both");
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--tries", "3"),
                "--tries is an option of check");
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--seed", "3"),
                "--seed is an option of check");
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--traces", "somewhere"),
                "--traces is an option of check");
        MainTest.badInput(MainTest.run("check", "--policy", "QEMU_10_0", "--without", "Stop", "--only", "Cont"),
                "give --without or --only, not both");
        MainTest.badInput(MainTest.run("check", "--policy", "QEMU_10_0", "--all"),
                "give --policy NAME or --all, not both");
    }

    @Test
    void checkWritesEveryClassAsATraceThatReplayReadsAsItIs() throws Exception {
        Path dir = Files.createTempDirectory("bitmig-traces");
        MainTest.Run r = MainTest.run("check", "--policy", "QEMU_10_0", "--depth", "4", "--tries", "5",
                "--traces", dir.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        try (var files = Files.list(dir)) {
            var traces = files.sorted().toList();
            assertThat(traces).isNotEmpty()
                    .anySatisfy(p -> assertThat(p.getFileName().toString())
                            .startsWith("QEMU_10_0-NoUnderReport-target-ram_persistent_aware-tool"));
            assertThat(r.err()).contains(traces.size() + " trace files written");
            for (Path t : traces) {
                assertThat(TraceJson.read(t).policy()).isEqualTo("QEMU_10_0");
                MainTest.Run replay = MainTest.run("replay", t.toString());
                assertThat(replay.code()).as("%s: %s", t, replay.out()).isEqualTo(1);
                assertThat(replay.out()).contains("reproduces:");
            }
        }
    }
}
