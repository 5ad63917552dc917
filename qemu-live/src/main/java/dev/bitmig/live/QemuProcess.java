package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** One running QEMU process of a {@link QemuLauncher} run, with typed wrappers for the QMP commands we use. */
public final class QemuProcess implements AutoCloseable {
    /** Terminal states of {@code query-migrate}. */
    public static final Set<String> MIGRATION_DONE = Set.of("completed", "failed", "cancelled");

    /** A failure in qemu-io's output; its warnings (e.g. about bitmaps an unaware writer invalidated) are not. */
    private static final Pattern QEMU_IO_FAILURE = Pattern.compile(
            "(?m)^(Error:|.*\\bfailed: |.*: No such file or directory|qemu-io: (?!warning: ))");

    private final QemuLauncher launcher;
    private final Role role;
    private final Process process;
    private final Path qmpSocket;
    private final Path log;
    private final Incoming incoming;
    private final boolean paused;
    private volatile QmpClient qmp;
    private volatile boolean eventsCapability;

    QemuProcess(QemuLauncher launcher, Role role, Process process, Path qmpSocket, Path log, Incoming incoming,
                boolean paused) {
        this.launcher = launcher;
        this.role = role;
        this.process = process;
        this.qmpSocket = qmpSocket;
        this.log = log;
        this.incoming = incoming;
        this.paused = paused;
    }

    void connect(Duration timeout, StepTimings timings) {
        this.qmp = QmpClient.connect(qmpSocket, role.fileStem(), timeout, timings, process::isAlive);
    }

    public Role role() { return role; }

    public long pid() { return process.pid(); }

    public boolean isAlive() { return process.isAlive(); }

    public Path qmpSocket() { return qmpSocket; }

    /** The QMP connection (already past capability negotiation). */
    public QmpClient qmp() { return qmp; }

    public QemuLauncher launcher() { return launcher; }

    /** Everything QEMU printed on stdout/stderr so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Exit code, or empty while running. */
    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    // ---- process control ------------------------------------------------------------------------------------

    /** SIGKILL, then wait for the exit. Idempotent. */
    public void kill9() {
        if (qmp != null) {
            qmp.close();
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(role + ": pid " + pid() + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** QMP {@code quit}, then wait for the exit; kills the process if it does not exit in time. */
    public int quit(Duration timeout) {
        try {
            qmp.execute("quit", null, timeout);
        } catch (QemuGoneException e) {
            // QEMU may hang up before the reply is read
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill9();
                throw new QmpTimeoutException(role + ": did not exit within " + timeout + " after quit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill9();
        }
        qmp.close();
        return process.exitValue();
    }

    public int quit() {
        return quit(Duration.ofSeconds(10));
    }

    /** Sends SIGSTOP (freezes the process, e.g. to test timeouts). */
    public void sigstop() { signal("STOP"); }

    /** Sends SIGCONT. */
    public void sigcont() { signal("CONT"); }

    private void signal(String sig) {
        Tools.Result r = Tools.run(List.of("kill", "-" + sig, Long.toString(pid())), Duration.ofSeconds(5));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("kill -" + sig + " " + pid() + ": " + r.output());
        }
    }

    /** Starts a fresh process for the same role (this one must be gone), with the same pause setting. */
    public QemuProcess relaunch(Incoming incoming) {
        if (isAlive()) {
            throw new IllegalStateException(role + " still running; quit() or kill9() first");
        }
        return launcher.launch(role, incoming, paused);
    }

    /** Same as {@link #kill9()}. */
    @Override
    public void close() {
        kill9();
    }

    // ---- run state ----------------------------------------------------------------------------------------------

    public void cont() { qmp.execute("cont"); }

    public void stop() { qmp.execute("stop"); }

    /** The {@code status} of {@code query-status}, e.g. {@code running}, {@code prelaunch}, {@code postmigrate}. */
    public String runState() { return qmp.execute("query-status").path("status").asText(); }

    // ---- migration ----------------------------------------------------------------------------------------------

    /** {@code migrate-set-capabilities} with one capability. */
    public void setMigrationCapability(String capability, boolean state) {
        ArrayNode caps = QmpClient.json().createArrayNode();
        caps.addObject().put("capability", capability).put("state", state);
        qmp.execute("migrate-set-capabilities", QmpClient.args().set("capabilities", caps));
        if (capability.equals("events")) {
            eventsCapability = state;
        }
    }

    /** Sets the {@code dirty-bitmaps} and {@code events} capabilities (needed on both sides). */
    public void enableBitmapMigration() {
        ArrayNode caps = QmpClient.json().createArrayNode();
        caps.addObject().put("capability", "dirty-bitmaps").put("state", true);
        caps.addObject().put("capability", "events").put("state", true);
        qmp.execute("migrate-set-capabilities", QmpClient.args().set("capabilities", caps));
        eventsCapability = true;
    }

    /** {@code migrate {uri}}: returns once the migration has started. */
    public void migrate(String uri) {
        qmp.execute("migrate", QmpClient.args().put("uri", uri));
    }

    /** {@code migrate-incoming {uri}} for a target started with {@link Incoming#DEFER}. */
    public void migrateIncoming(String uri) {
        qmp.execute("migrate-incoming", QmpClient.args().put("uri", uri));
    }

    /** {@code migrate_cancel} (QMP {@code migrate_cancel}). */
    public void migrateCancel() {
        qmp.execute("migrate_cancel");
    }

    /** {@code migrate-continue {state}} after a {@code pause-before-switchover} stop. */
    public void migrateContinue(String state) {
        qmp.execute("migrate-continue", QmpClient.args().put("state", state));
    }

    /** The whole {@code query-migrate} reply. */
    public JsonNode queryMigrate() { return qmp.execute("query-migrate"); }

    /** The {@code status} of {@code query-migrate} ({@code none} before any migration). */
    public String migrationStatus() {
        JsonNode s = queryMigrate().get("status");
        return s == null ? "none" : s.asText();
    }

    /**
     * Waits until the migration reaches one of the given states, via MIGRATION events when the {@code events}
     * capability is on, otherwise by polling {@code query-migrate}. Returns the state reached. A terminal state
     * other than the awaited ones is returned too, so callers see {@code failed} instead of a timeout.
     */
    public String waitForMigration(Set<String> states, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String now = migrationStatus();
        if (states.contains(now) || MIGRATION_DONE.contains(now) && !now.equals("none")) {
            return now;
        }
        if (eventsCapability) {
            QmpEvent ev = qmp.waitForEvent("MIGRATION", e -> {
                String s = e.dataText("status");
                return states.contains(s) || MIGRATION_DONE.contains(s);
            }, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            return ev.dataText("status");
        }
        while (System.nanoTime() < deadline) {
            now = migrationStatus();
            if (states.contains(now) || MIGRATION_DONE.contains(now)) {
                return now;
            }
            sleep(20);
        }
        throw new QmpTimeoutException(role + ": migration still '" + now + "' after " + timeout);
    }

    /** Waits for {@code completed}, {@code failed} or {@code cancelled}. */
    public String waitForMigration(Duration timeout) {
        return waitForMigration(MIGRATION_DONE, timeout);
    }

    // ---- bitmaps ------------------------------------------------------------------------------------------------

    /** {@code block-dirty-bitmap-add}. */
    public void addBitmap(String node, String name, long granularity, boolean persistent, boolean disabled) {
        qmp.execute("block-dirty-bitmap-add", QmpClient.args().put("node", node).put("name", name)
                .put("granularity", granularity).put("persistent", persistent).put("disabled", disabled));
    }

    public void removeBitmap(String node, String name) { bitmapCommand("block-dirty-bitmap-remove", node, name); }

    public void clearBitmap(String node, String name) { bitmapCommand("block-dirty-bitmap-clear", node, name); }

    public void enableBitmap(String node, String name) { bitmapCommand("block-dirty-bitmap-enable", node, name); }

    public void disableBitmap(String node, String name) { bitmapCommand("block-dirty-bitmap-disable", node, name); }

    /** {@code block-dirty-bitmap-merge}: target |= each source (sources on the same node). */
    public void mergeBitmaps(String node, String target, List<String> sources) {
        ObjectNode a = QmpClient.args().put("node", node).put("target", target);
        ArrayNode src = a.putArray("bitmaps");
        sources.forEach(src::add);
        qmp.execute("block-dirty-bitmap-merge", a);
    }

    private void bitmapCommand(String command, String node, String name) {
        qmp.execute(command, QmpClient.args().put("node", node).put("name", name));
    }

    /** {@code x-debug-block-dirty-bitmap-sha256}: hash of the bitmap's bits. */
    public String bitmapSha256(String node, String name) {
        return qmp.execute("x-debug-block-dirty-bitmap-sha256", QmpClient.args().put("node", node)
                .put("name", name)).path("sha256").asText();
    }

    /**
     * All bitmaps of all nodes, from {@code query-named-block-nodes} (flat). This works with {@code -M none}, where
     * nodes have no BlockBackend and {@code query-block} lists nothing.
     */
    public List<BitmapInfo> bitmaps() {
        JsonNode nodes = qmp.execute("query-named-block-nodes", QmpClient.args().put("flat", true));
        List<BitmapInfo> out = new ArrayList<>();
        for (JsonNode n : nodes) {
            parseBitmaps(n.path("node-name").asText(), n.path("dirty-bitmaps"), out);
        }
        return out;
    }

    /**
     * Whether the node is active, from {@code query-named-block-nodes}' {@code active} field (QEMU 10.0,
     * qapi/block-core.json BlockDeviceInfo); empty on a QEMU that does not report it (7.2).
     */
    public Optional<Boolean> active(String node) {
        JsonNode nodes = qmp.execute("query-named-block-nodes", QmpClient.args().put("flat", true));
        for (JsonNode n : nodes) {
            if (n.path("node-name").asText().equals(node) && n.has("active")) {
                return Optional.of(n.path("active").asBoolean());
            }
        }
        return Optional.empty();
    }

    /** Bitmaps of one node. */
    public List<BitmapInfo> bitmaps(String node) {
        return bitmaps().stream().filter(b -> b.node().equals(node)).toList();
    }

    /** One named bitmap of a node, if present. */
    public Optional<BitmapInfo> bitmap(String node, String name) {
        return bitmaps(node).stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** Bitmaps as listed by {@code query-block} (devices only: empty with {@code -M none} and no device). */
    public List<BitmapInfo> bitmapsFromQueryBlock() {
        List<BitmapInfo> out = new ArrayList<>();
        for (JsonNode dev : qmp.execute("query-block")) {
            JsonNode ins = dev.path("inserted");
            parseBitmaps(ins.path("node-name").asText(dev.path("device").asText()), ins.path("dirty-bitmaps"), out);
        }
        return out;
    }

    static void parseBitmaps(String node, JsonNode list, List<BitmapInfo> out) {
        for (JsonNode b : list) {
            out.add(new BitmapInfo(node, b.path("name").asText(""), b.path("count").asLong(),
                    b.path("granularity").asLong(), b.path("recording").asBoolean(),
                    b.path("persistent").asBoolean(), b.path("busy").asBoolean(),
                    b.path("inconsistent").asBoolean(false)));
        }
    }

    // ---- guest I/O ----------------------------------------------------------------------------------------------

    /**
     * Runs a qemu-io command inside QEMU on a node (HMP {@code qemu-io NODE "CMD"}). Writes issued this way go
     * through the block layer like guest writes, so enabled bitmaps of the node record them.
     *
     * <p>QEMU 7.2 returns only monitor-level errors (e.g. an unknown node) in the HMP reply; qemu-io itself prints
     * its results, including failures such as {@code write failed: Input/output error}, to QEMU's stdout. QEMU is
     * started with line-buffered stdout into its log, so the output is read back from the log. Failures in either
     * place are raised as {@link QemuIoException}.
     *
     * @return what qemu-io printed (HMP reply and stdout)
     */
    public synchronized String qemuIo(String node, String command) {
        if (command.indexOf('"') >= 0) {
            throw new IllegalArgumentException("qemu-io command must not contain quotes: " + command);
        }
        long before = logSize();
        String reply = qmp.hmp("qemu-io " + node + " \"" + command + "\"");
        String out = reply + logSince(before);
        if (qemuIoFailed(out)) {
            throw new QemuIoException("qemu-io " + node + " '" + command + "' failed", out);
        }
        return out;
    }

    private long logSize() {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long offset) {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
            long len = f.length() - offset;
            if (len <= 0) {
                return "";
            }
            byte[] b = new byte[(int) Math.min(len, 1 << 20)];
            f.seek(offset);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** A guest write of {@code length} bytes (pattern 0xcd) at {@code offset} on the format node. */
    public String guestWrite(long offset, long length) {
        return qemuIo(QemuLauncher.DRIVE_NODE, "write -P 0xcd " + offset + " " + length);
    }

    static boolean qemuIoFailed(String output) {
        return QEMU_IO_FAILURE.matcher(output).find();
    }

    /** Sleeps; an interrupt ends the wait as a timeout would. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpTimeoutException("interrupted");
        }
    }

    @Override
    public String toString() {
        return "QemuProcess[" + role + ", pid " + pid() + (isAlive() ? "" : ", exited") + "]";
    }
}
