package dev.bitmig.impl.qcow2.differential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code qemu-system-x86_64 -M none -nodefaults -display none} process driven over QMP on a unix socket. It
 * holds no images of its own: block nodes come and go with blockdev-add and blockdev-del. Its output (where HMP
 * qemu-io prints) is discarded.
 */
final class QemuProcess implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(30);
    /** QEMUs still running; killed when the JVM exits, whatever way it exits. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    /** How long one QMP command may take before QEMU is killed as hung. */
    static final Duration COMMAND = Duration.ofSeconds(120);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qmp-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private final Process process;
    private final Path socketDir;
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    /** A QMP command QEMU refused; the message is QEMU's error description. */
    static final class QmpError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QmpError(String command, String description) {
            super(command + ": " + description);
        }
    }

    /** QEMU went away while a reply was awaited. */
    static final class QemuGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QemuGone(String message) {
            super(message);
        }
    }

    private QemuProcess(Process process, Path socketDir, SocketChannel channel) {
        this.process = process;
        this.socketDir = socketDir;
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Starts QEMU and negotiates QMP capabilities, trying up to three times: QEMU 7.2 was seen to hang for good at
     * start, its main thread blocked in accept() on the QMP socket although the client was connected (see
     * DIFFERENTIAL.md); such a QEMU is killed after {@link #START} and another one started.
     */
    static QemuProcess start(QemuInstall qemu) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(qemu);
            } catch (QemuGone e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static QemuProcess startOnce(QemuInstall qemu) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bitmig-qmp");
        Path sock = dir.resolve("qmp.sock");
        Process p = new ProcessBuilder(List.of(qemu.qemuSystem().toString(), "-M", "none", "-nodefaults",
                "-display", "none", "-qmp", "unix:" + sock + ",server=on,wait=off"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        RUNNING.add(p);
        p.onExit().thenAccept(RUNNING::remove);
        Instant deadline = Instant.now().plus(START);
        while (true) {
            if (!p.isAlive()) {
                deleteDir(dir);
                throw new QemuGone(qemu.qemuSystem() + " exited with status " + p.exitValue() + " at start");
            }
            if (Files.exists(sock)) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(sock));
                    QemuProcess q = new QemuProcess(p, dir, ch);
                    ScheduledFuture<?> hung = WATCHDOG.schedule(p::destroyForcibly, START.toSeconds(),
                            TimeUnit.SECONDS);
                    try {
                        q.readLine("greeting");
                        q.execute("qmp_capabilities", null);
                    } catch (QemuGone e) {
                        q.kill();
                        throw new QemuGone("QEMU did not answer QMP within " + START + " of its start");
                    } finally {
                        hung.cancel(false);
                    }
                    return q;
                } catch (IOException e) {
                    ch.close();
                }
            }
            if (Instant.now().isAfter(deadline)) {
                p.destroyForcibly();
                deleteDir(dir);
                throw new QemuGone("no QMP socket within " + START);
            }
            Thread.sleep(10);
        }
    }

    static ObjectNode args() {
        return JSON.createObjectNode();
    }

    /** Runs a command and returns its "return" member; a refusal is a {@link QmpError}. */
    JsonNode execute(String command, ObjectNode arguments) {
        ObjectNode cmd = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            cmd.set("arguments", arguments);
        }
        ScheduledFuture<?> hung = WATCHDOG.schedule(process::destroyForcibly, COMMAND.toSeconds(), TimeUnit.SECONDS);
        try {
            out.write((JSON.writeValueAsString(cmd) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                JsonNode reply = JSON.readTree(readLine(command));
                if (reply.has("return")) {
                    return reply.get("return");
                }
                if (reply.has("error")) {
                    throw new QmpError(command, reply.get("error").path("desc").asText());
                }
            }
        } catch (IOException e) {
            throw new QemuGone("QMP connection lost during " + command + ": " + e.getMessage());
        } finally {
            if (!hung.cancel(false)) {
                throw new QemuGone("QEMU hung on " + command + " for " + COMMAND + " and was killed");
            }
        }
    }

    /** An HMP command line (e.g. {@code qemu-io NODE "write 0 512"}); qemu-io's own output goes to QEMU's stdout. */
    String hmp(String commandLine) {
        return execute("human-monitor-command", args().put("command-line", commandLine)).asText();
    }

    private String readLine(String awaiting) throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new QemuGone("QEMU closed the QMP connection while awaiting " + awaiting);
        }
        return line;
    }

    /** Clean quit: QEMU closes every node (storing persistent bitmaps) and exits. */
    void quit() throws InterruptedException {
        try {
            execute("quit", null);
        } catch (QemuGone e) {
            // the connection may close before the reply arrives
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new QemuGone("QEMU did not exit within 60 s of quit");
        }
        closeChannel();
    }

    /** kill -9: nothing is stored. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        closeChannel();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Quits QEMU, or kills it if it does not quit; an interrupt kills it at once (and stays set). */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                try {
                    quit();
                } catch (RuntimeException e) {
                    kill();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        closeChannel();
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
        deleteDir(socketDir);
    }

    private static void deleteDir(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve("qmp.sock"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
