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

    @Test
    void policyNamesIgnoreCaseAndANearMissIsSuggested() {
        MainTest.Run r = MainTest.run("explore", "--policy", "qemu_upstream", "--depth", "2");
        assertThat(r.code()).as(r.err()).isIn(0, 1);
        MainTest.badInput(MainTest.run("explore", "--policy", "CANARY_MERGES", "--depth", "1"),
                "did you mean CANARY_MERGE?");
        MainTest.badInput(MainTest.run("explore", "--policy", "nothing-like-it", "--depth", "1"), "valid policies:");
    }

    @Test
    void conflictingOptionsAreBadInput() {
        MainTest.badInput(MainTest.run("explore", "--all", "--policy", "QEMU_UPSTREAM", "--depth", "1"),
                "give --policy NAME or --all, not both");
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_UPSTREAM", "--tries", "3"),
                "--tries is an option of check");
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_UPSTREAM", "--seed", "3"),
                "--seed is an option of check");
    }

    @Test
    void checkWritesEveryClassAsATraceThatReplayReadsAsItIs() throws Exception {
        Path dir = Files.createTempDirectory("bitmig-traces");
        MainTest.Run r = MainTest.run("check", "--policy", "QEMU_UPSTREAM", "--depth", "4", "--tries", "5",
                "--traces", dir.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        try (var files = Files.list(dir)) {
            var traces = files.sorted().toList();
            assertThat(traces).isNotEmpty()
                    .anySatisfy(p -> assertThat(p.getFileName().toString())
                            .startsWith("QEMU_UPSTREAM-NoUnderReport-target-ram_persistent_aware-tool"));
            assertThat(r.err()).contains(traces.size() + " trace files written");
            for (Path t : traces) {
                assertThat(TraceJson.read(t).policy()).isEqualTo("QEMU_UPSTREAM");
                MainTest.Run replay = MainTest.run("replay", t.toString());
                assertThat(replay.code()).as("%s: %s", t, replay.out()).isEqualTo(1);
                assertThat(replay.out()).contains("reproduces:");
            }
        }
    }
}
