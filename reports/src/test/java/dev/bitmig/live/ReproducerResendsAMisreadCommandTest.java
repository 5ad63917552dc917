package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.report.Reproducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A reproducer's QMP client sends again a command the monitor misread (its bytes arrived altered: refused before
 * dispatch, so it never ran), with a note, and at most twice, after resetting the monitor's JSON parser and skipping the
 * monitor's other answers to the misread bytes; a command refused for its own sake stands. The monitor is a stand-in
 * (misreading_monitor.py) that misreads the first commands it gets, and answers the rest of them late.
 */
class ReproducerResendsAMisreadCommandTest {
    @TempDir
    static Path dir;
    static Path reproducer;
    static Path monitor;

    @BeforeAll
    static void writeAReproducerAndTheMonitor() throws IOException {
        assumeTrue(Tools.onPath("python3").isPresent(), "python3 not on PATH");
        reproducer = dir.resolve("reproducer.py");
        Trace any = new Trace(Bounds.DEFAULT, "QEMU_7_2", io.vavr.collection.List.empty(), InitialWorld.BITMAP_LOADED,
                io.vavr.collection.List.of(new Action.Quit(NodeId.SOURCE)), "NoSilentLoss", "any counterexample");
        Files.writeString(reproducer, Reproducer.of(any), StandardCharsets.UTF_8);
        monitor = dir.resolve("misreading_monitor.py");
        try (InputStream in = ReproducerResendsAMisreadCommandTest.class.getResourceAsStream("misreading_monitor.py")) {
            Files.copy(in, monitor);
        }
    }

    @Test
    void aCommandTheMonitorMisreadIsSentAgainWithANote() throws IOException {
        Ran r = talk(1, "QMP input member 'exeucte' is unexpected");
        assertThat(r.json().path("return").path("status").asText()).isEqualTo("running");
        assertThat(r.json().path("received")).hasSize(2);
        assertThat(r.output()).contains("note: the monitor misread query-status (QMP input member 'exeucte' is "
                + "unexpected); sent again");
        assertThat(r.json().path("resets").asInt()).as("the parser reset before the command is sent again").isEqualTo(1);
    }

    @Test
    void aResentCommandCarriesAFreshId() throws IOException {
        Ran r = talk(1, "JSON parse error, invalid keyword 'x'");
        JsonNode ids = r.json().path("ids");
        assertThat(ids).hasSize(2);
        assertThat(ids.get(0)).isNotEqualTo(ids.get(1));
    }

    @Test
    void aCommandMisreadThreeTimesFailsWithTheMonitorsWords() throws IOException {
        Ran r = talk(5, "JSON parse error, invalid keyword 'x'");
        assertThat(r.json().path("error").asText()).isEqualTo("JSON parse error, invalid keyword 'x'");
        assertThat(r.json().path("received")).hasSize(3);
    }

    @Test
    void aCommandRefusedForItsOwnSakeIsNotSentAgain() throws IOException {
        Ran r = talk(1, "Dirty bitmap 'b0' not found");
        assertThat(r.json().path("error").asText()).isEqualTo("Dirty bitmap 'b0' not found");
        assertThat(r.json().path("received")).hasSize(1);
        assertThat(r.output()).doesNotContain("note:");
    }

    @Test
    void aCommandNotFoundUnderItsOwnNameIsNotSentAgain() throws IOException {
        Ran r = talk(1, "The command query-status has not been found");
        assertThat(r.json().path("received")).hasSize(1);
    }

    @Test
    void aCommandNotFoundUnderAnAlteredNameIsSentAgain() throws IOException {
        Ran r = talk(1, "The command qeury-status has not been found");
        assertThat(r.json().path("received")).hasSize(2);
    }

    private record Ran(String output, JsonNode json) { }

    private static Ran talk(int misreads, String desc) throws IOException {
        Tools.Result r = Tools.run(List.of("python3", monitor.toString(), reproducer.toString(),
                String.valueOf(misreads), desc), Duration.ofMinutes(1));
        assertThat(r.exitCode()).as(r.output()).isZero();
        List<String> lines = r.output().strip().lines().toList();
        return new Ran(r.output(), QmpClient.json().readTree(lines.get(lines.size() - 1)));
    }
}
