package dev.bitmig.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitmig.check.TraceJson;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** replay runs a scenario a user wrote, with no invariant claimed, and shows the state after every step. */
class ReplayScenarioTest {
    static final String SCENARIO = """
            {"configuration": {"clusters": 3, "granularities": [1], "names": ["a"], "depth": 6, "maxWrite": 1},
             "policy": "QEMU_10_0", "initial": "BITMAP_LOADED",
             "actions": [{"action": "MigrateStart", "capability": true},
                         {"action": "Inactivate", "node": "SOURCE"},
                         {"action": "ForeignWrite", "writer": "AWARE", "first": 0, "count": 1},
                         {"action": "MigrateComplete"}]}
            """;

    private static Path file(String text) throws Exception {
        Path p = Files.createTempFile("bitmig-scenario", ".json");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aScenarioWithoutAClaimShowsEveryStepsStateAndItsViolations() throws Exception {
        MainTest.Run r = MainTest.run("replay", file(SCENARIO).toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("a scenario (no invariant claimed)")
                .contains("  4  MigrateComplete[]: ok")
                .contains("bitmap a: reports {}, truth {0}, granularity 1, persistent")
                .contains("NoUnderReport: VIOLATED: bitmap 'a' on the target")
                .contains("an invariant is violated at some step");
        assertThat(r.out().lines().filter(l -> l.strip().startsWith("SingleWriter: holds"))).hasSize(5);
    }

    @Test
    void aScenarioThatBreaksNothingExitsZero() throws Exception {
        MainTest.Run r = MainTest.run("replay", file(SCENARIO.replace("\"ForeignWrite\", \"writer\": \"AWARE\"",
                "\"GuestWrite\", \"node\": \"TARGET\"")).toString());
        assertThat(r.out()).contains("every invariant holds at every step");
        assertThat(r.code()).isZero();
    }

    @Test
    void jsonGivesTheSameStatesAndTheScenarioReadsFromStandardInput() throws Exception {
        var old = System.in;
        try {
            System.setIn(new ByteArrayInputStream(SCENARIO.getBytes(StandardCharsets.UTF_8)));
            MainTest.Run r = MainTest.run("replay", "-", "--json");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            JsonNode doc = TraceJson.MAPPER.readTree(r.out());
            assertThat(doc.get("steps")).hasSize(4);
            JsonNode last = doc.get("steps").get(3).get("state");
            assertThat(last.get("target").get("bitmaps").get("a").asText()).startsWith("reports {}, truth {0}");
            assertThat(last.get("invariants").get("NoUnderReport").asText()).contains("does not report clusters {0}");
            assertThat(doc.get("trace").has("invariant")).isFalse();
            assertThat(doc.get("violated").asBoolean()).isTrue();
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void anEmptyInvariantNameIsBadInputThatSaysHowToClaimNothing() throws Exception {
        MainTest.badInput(MainTest.run("replay", file(SCENARIO.replace("\"initial\"", "\"invariant\": \"\", \"initial\""))
                .toString()), "leave the field out to claim nothing");
    }
}
