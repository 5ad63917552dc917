package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A monitor that misreads a command (its bytes arrived altered) refuses it before dispatch, so the client sends it
 * again; a command refused for its own sake is not. The monitor here is a scripted stand-in on a unix socket that
 * answers the n-th command (counted from 0, after qmp_capabilities) as told.
 */
class QmpClientResendTest {
    @TempDir
    Path dir;

    /** What the stand-in monitor received, one JSON text per command. */
    private final List<String> received = new CopyOnWriteArrayList<>();
    /** How many times the client sent the byte that resets the monitor's JSON parser. */
    private final java.util.concurrent.atomic.AtomicInteger resets = new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void aCommandTheMonitorMisreadIsSentAgainAndItsAnswerReturned() throws Exception {
        try (QmpClient c = connect((n, cmd) -> n == 0
                ? "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'exeucte' is unexpected\"}}"
                : "{\"return\": {\"status\": \"running\"}, \"id\": " + cmd.get("id") + "}")) {
            JsonNode r = c.execute("query-status");
            assertThat(r.path("status").asText()).isEqualTo("running");
            assertThat(c.resent()).isEqualTo(1);
            assertThat(received).hasSize(2).allSatisfy(t -> assertThat(t).contains("\"query-status\""));
            assertThat(resets).as("the parser reset before the command is sent again").hasValue(1);
        }
    }

    /**
     * Altered bytes can make the monitor answer several times (each stray token is an error without an id); those
     * answers come before the answer to the reset byte, and none of them is taken for the resent command's, however late
     * they come (here 300 ms after the first, as on a loaded machine).
     */
    @Test
    void theMonitorsOtherAnswersToTheMisreadBytesAreNotTakenForTheResentCommands() throws Exception {
        String debris = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, expecting value\"}}";
        try (QmpClient c = connect((n, cmd) -> n == 0
                ? "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '_apabili'\"}}\n"
                        + PAUSE + "\n" + debris + "\n" + debris + "\n" + debris
                : "{\"return\": {\"status\": \"running\"}, \"id\": " + cmd.get("id") + "}")) {
            assertThat(c.execute("query-status").path("status").asText()).isEqualTo("running");
            assertThat(c.resent()).isEqualTo(1);
            assertThat(received).hasSize(2);
        }
    }

    @Test
    void aCommandWhoseNameArrivedAlteredIsSentAgain() throws Exception {
        try (QmpClient c = connect((n, cmd) -> n == 0
                ? "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command qeury-status has not been found\"}}"
                : "{\"return\": {}, \"id\": " + cmd.get("id") + "}")) {
            c.execute("query-status");
            assertThat(c.resent()).isEqualTo(1);
        }
    }

    @Test
    void aCommandRefusedForItsOwnSakeIsNotSentAgain() throws Exception {
        try (QmpClient c = connect((n, cmd) -> "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                + "\"Dirty bitmap 'b0' not found\"}, \"id\": " + cmd.get("id") + "}")) {
            assertThatThrownBy(() -> c.execute("block-dirty-bitmap-remove"))
                    .isInstanceOfSatisfying(QmpError.class, e -> assertThat(e.misread()).isFalse())
                    .hasMessageContaining("Dirty bitmap 'b0' not found");
            assertThat(received).hasSize(1);
            assertThat(c.resent()).isZero();
        }
    }

    @Test
    void aCommandThatIsNotFoundUnderItsOwnNameIsNotSentAgain() throws Exception {
        try (QmpClient c = connect((n, cmd) -> "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                + "\"The command blockdev-set-active has not been found\"}, \"id\": " + cmd.get("id") + "}")) {
            assertThatThrownBy(() -> c.execute("blockdev-set-active")).isInstanceOf(QmpError.class);
            assertThat(received).hasSize(1);
        }
    }

    @Test
    void aCommandMisreadEveryTimeFailsAfterTheLastResend() throws Exception {
        try (QmpClient c = connect((n, cmd) ->
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword 'x'\"}}")) {
            assertThatThrownBy(() -> c.execute("query-status"))
                    .isInstanceOfSatisfying(QmpError.class, e -> assertThat(e.misread()).isTrue());
            assertThat(received).hasSize(1 + QmpClient.RESENDS);
            assertThat(c.resent()).isEqualTo(QmpClient.RESENDS);
        }
    }

    /** Starts the stand-in monitor: a greeting, qmp_capabilities answered, then every command answered by `answer`. */
    private QmpClient connect(BiFunction<Integer, ObjectNode, String> answer) throws IOException {
        Path sock = dir.resolve("monitor.qmp");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Thread t = new Thread(() -> serve(server, answer), "stand-in-monitor");
        t.setDaemon(true);
        t.start();
        return QmpClient.connect(sock, "stand-in", Duration.ofSeconds(10), null, null);
    }

    private void serve(ServerSocketChannel server, BiFunction<Integer, ObjectNode, String> answer) {
        try (server; SocketChannel ch = server.accept()) {
            OutputStream out = Channels.newOutputStream(ch);
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                    StandardCharsets.UTF_8));
            write(out, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}");
            int n = 0;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("\uFFFD")) {
                    // the reset byte 0xFF: a lexical error, answered as QEMU answers it
                    resets.incrementAndGet();
                    write(out, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\uFFFD'\"}}");
                    continue;
                }
                ObjectNode cmd = (ObjectNode) QmpClient.json().readTree(line);
                if ("qmp_capabilities".equals(cmd.path("execute").asText())) {
                    write(out, "{\"return\": {}, \"id\": " + cmd.get("id") + "}");
                } else {
                    received.add(line);
                    write(out, answer.apply(n++, cmd));
                }
            }
        } catch (IOException e) {
            // the client closed the connection
        }
    }

    /** A line of an answer that makes the stand-in wait 300 ms before it writes the rest. */
    private static final String PAUSE = "pause";

    private static void write(OutputStream out, String text) throws IOException {
        for (String line : text.split("\n")) {
            if (line.equals(PAUSE)) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
