package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.World;
import dev.bitmig.model.scenario.Driver;
import dev.bitmig.qemu.Flavour;
import dev.bitmig.qemu.MigrationOps;
import dev.bitmig.qemu.Op;
import dev.bitmig.qemu.Place;
import dev.bitmig.qemu.QemuTable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real QEMU behind the model's {@link Driver} interface: one source and one target {@code qemu-system-x86_64} on one
 * shared qcow2 image, driven over QMP. Each model action maps to the QEMU operations of {@link QemuTable} (flavour
 * {@link Flavour#LIVE}; see {@code MAPPING.md}), which {@link LiveMapper} orders and guards and {@link #run} executes;
 * every operation executed is appended to a script. {@link #world()} is not supported: QEMU's state is read with
 * {@link #observe()} and compared by {@link Comparison}.
 *
 * <p>Migrations run with {@code pause-before-switchover} and {@code return-path}, so that the model's separate steps
 * exist in QEMU too: after {@code migrate} the source waits in {@code pre-switchover} (setup done, START records sent,
 * source not yet inactive); the model's handover is {@code migrate-continue} with the target held by SIGSTOP, which
 * lets the source send the bitmap data, inactivate and then wait on the return path; completion is SIGCONT of the
 * target; a failure after handover is SIGKILL of the held target.
 */
public final class LiveSystem implements Driver, AutoCloseable {
    /** The step cannot be expressed on QEMU 7.2 in the current state; the sequence is not comparable from here. */
    public static final class Unmappable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unmappable(String why) {
            super(why);
        }
    }

    /** Where the live migration stands, from the harness's point of view. */
    enum Mig { NONE, PRE_SWITCHOVER, HANDED_OVER }

    static final Duration MIGRATION_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern QEMU_IO_ERROR = Pattern.compile("(?m)^(?:Error: )?(.*(?:failed|read-only|not permitted|lock|Cannot|error).*)$");

    private final Geometry geometry;
    private final QemuLauncher launcher;
    private final Map<NodeId, QemuProcess> procs = new EnumMap<>(NodeId.class);
    private final List<String> script = new ArrayList<>();
    Mig mig = Mig.NONE;
    private boolean targetFrozen;
    /** Whether the incoming target will run when its migration completes (no stop on it since its launch). */
    private boolean targetAutostarts = true;

    public LiveSystem(Geometry geometry, StepTimings timings) {
        this(geometry, timings, false);
    }

    /**
     * With {@code storeFailures}, every QEMU opens the image through a blkdebug layer that a full volume switches
     * ({@link LiveVolume}); without, the command line of every earlier campaign.
     */
    public LiveSystem(Geometry geometry, StepTimings timings, boolean storeFailures) {
        this.geometry = geometry;
        this.volume = new LiveVolume(storeFailures);
        this.launcher = QemuLauncher.options().imageSize(geometry.clusters() * Geometry.CLUSTER_BYTES)
                .timings(timings).create();
        note("shell> " + shell(QemuTable.createImage(geometry.clusters()).argv()));
        // World.initial: a source QEMU running on the fresh image; the target is off.
        launch(NodeId.SOURCE, false, false);
    }

    public Geometry geometry() {
        return geometry;
    }

    public QemuLauncher launcher() {
        return launcher;
    }

    /** Every QMP/HMP command, signal and tool run issued so far, in order. */
    public List<String> script() {
        return List.copyOf(script);
    }

    /** {@code query-version} of the source (or target), e.g. {@code 7.2.22 (Debian ...)}. */
    public String qemuVersion() {
        for (QemuProcess p : procs.values()) {
            if (p.isAlive() && !(p.role() == Role.TARGET && targetFrozen)) {
                JsonNode v = p.qmp().execute("query-version");
                JsonNode q = v.path("qemu");
                return q.path("major").asInt() + "." + q.path("minor").asInt() + "." + q.path("micro").asInt()
                        + (v.path("package").asText().isBlank() ? "" : " (" + v.path("package").asText().strip() + ")");
            }
        }
        return "unknown";
    }

    boolean alive(NodeId n) {
        QemuProcess p = procs.get(n);
        return p != null && p.isAlive();
    }

    boolean targetAutostarts() {
        return targetAutostarts;
    }

    void targetAutostarts(boolean a) {
        targetAutostarts = a;
    }

    /** Whose rules the QEMU under test follows. */
    dev.bitmig.model.Release release() {
        return QemuInstall.release();
    }

    boolean frozen(NodeId n) {
        return n == NodeId.TARGET && targetFrozen && alive(n);
    }

    QemuProcess proc(NodeId n) {
        return procs.get(n);
    }

    private static Role role(NodeId n) {
        return n == NodeId.SOURCE ? Role.SOURCE : Role.TARGET;
    }

    void note(String line) {
        script.add(line);
    }

    private final LiveBackupJobs backupJobs = new LiveBackupJobs();
    private final LiveVolume volume;

    /** The volume under the image: full or not, and each process's blkdebug layer. */
    LiveVolume volume() {
        return volume;
    }

    /** What the runner keeps about backup jobs between steps. */
    LiveBackupJobs backupJobs() {
        return backupJobs;
    }

    @Override
    public World world() {
        throw new UnsupportedOperationException("QEMU's state is observed with observe(), not as a model world");
    }

    /** QEMU's observable state now. */
    public Observation observe() {
        return Observation.of(this);
    }

    @Override
    public Outcome step(Action action) {
        Outcome o;
        try {
            o = action.accept(new LiveMapper(this));
        } catch (QmpError e) {
            o = Outcome.rejected(e.desc());
        }
        volume.afterStep(this, action, o);
        return o;
    }

    // ------------------------------------------------------------------------------------------ executing the table

    /** The table's operations for {@code a} on this runner. */
    static List<Op> ops(Action a) {
        return QemuTable.ops(a, Flavour.LIVE);
    }

    /**
     * Executes one operation of the table and appends it to the script. Returns the exit code and the output of a
     * tool or of qemu-io (0 and the migration state reached for a wait, 0 and "" for the rest).
     */
    Tools.Result run(Op op) {
        if (op instanceof Op.Qmp q) {
            ObjectNode args = q.args().isEmpty() ? null : (ObjectNode) QmpClient.json().valueToTree(real(q.args()));
            note(q.node().lower() + "> " + QmpClient.args().put("execute", q.command())
                    .set("arguments", args == null ? QmpClient.args() : args));
            procs.get(q.node()).qmp().execute(q.command(), args);
        } else if (op instanceof Op.QemuIo io) {
            note(io.node().lower() + "> HMP qemu-io " + io.drive() + " \"" + io.command() + "\"");
            try {
                return new Tools.Result(0, procs.get(io.node()).qemuIo(io.drive(), io.command()));
            } catch (QemuIoException e) {
                return new Tools.Result(1, e.output());
            }
        } else if (op instanceof Op.Tool t) {
            note("shell> " + shell(t.argv()) + (t.remark().isEmpty() ? "" : "   # " + t.remark()));
            return Tools.run(t.argv().stream().map(this::word).toList(), TOOL_TIMEOUT);
        } else if (op instanceof Op.Launch l) {
            note("shell> " + shell(volume.shown(l).argv()));
            Incoming how = l.incoming().isEmpty() ? Incoming.NONE : l.incoming().equals("defer") ? Incoming.DEFER : Incoming.UNIX;
            procs.put(l.node(), launcher.launch(role(l.node()), how, false, l.readOnly(), volume.forLaunch()));
            volume.launched(procs.get(l.node()));
            targetFrozen &= l.node() != NodeId.TARGET;
        } else if (op instanceof Op.Quit q) {
            note(q.node().lower() + "> {\"execute\":\"quit\"}");
            procs.get(q.node()).quit();
        } else if (op instanceof Op.Kill k) {
            note("signal> kill -9 " + k.node().lower());
            procs.get(k.node()).kill9();
            targetFrozen &= k.node() != NodeId.TARGET;
        } else if (op instanceof Op.Signal g) {
            note("signal> kill -" + g.name() + " " + g.node().lower());
            signal(g);
        } else if (op instanceof Op.Await w) {
            return new Tools.Result(0, procs.get(w.node()).waitForMigration(Set.of(w.state()), MIGRATION_TIMEOUT));
        } else if (op instanceof Op.Note n) {
            note("# " + n.text());
        } else if (op instanceof Op.ClearAutoclearBit0) {
            note("shell> clear autoclear bit 0 in the qcow2 header (byte 95)");
            QemuImages.clearAutoclearBit0(launcher.image());
        } else if (op instanceof Op.Unmappable u) {
            throw new Unmappable(u.why());
        } else {
            throw new IllegalArgumentException("the live runner does not execute " + op);
        }
        return new Tools.Result(0, "");
    }

    /** Runs the operations in order, leaving out those aimed at a QEMU that is not running. */
    void runOnRunning(List<Op> ops) {
        for (Op op : ops) {
            NodeId n = aim(op);
            if (n == null || alive(n)) {
                run(op);
            }
        }
    }

    /** The QEMU an operation talks to or waits on (null for a tool, a launch, a note). */
    static NodeId aim(Op op) {
        if (op instanceof Op.Qmp q) return q.node();
        if (op instanceof Op.QemuIo io) return io.node();
        if (op instanceof Op.Quit q) return q.node();
        if (op instanceof Op.Kill k) return k.node();
        if (op instanceof Op.Signal g) return g.node();
        if (op instanceof Op.Await w) return w.node();
        return null;
    }

    private void signal(Op.Signal g) {
        QemuProcess p = procs.get(g.node());
        if (g.name().equals("STOP")) {
            p.sigstop();
        } else {
            p.sigcont();
        }
        if (g.node() == NodeId.TARGET) {
            targetFrozen = g.name().equals("STOP");
        }
    }

    /** QMP arguments with the places of this run: the real image and migration socket. */
    private Map<String, Object> real(Map<String, Object> args) {
        Map<String, Object> out = new LinkedHashMap<>();
        args.forEach((k, v) -> out.put(k, v instanceof Place p ? word(p) : v));
        return out;
    }

    private String word(Object a) {
        if (a == Place.IMAGE) return launcher.image().toString();
        if (a == Place.CONVERTED) return launcher.image() + ".new";
        if (a == Place.MIGRATION_URI) return launcher.migrationUri();
        return (String) a;
    }

    /** A command line for the script: the image is named image.qcow2 (convert's copy image.qcow2.new), the socket mig.sock. */
    static String shell(List<Object> argv) {
        StringBuilder b = new StringBuilder();
        for (Object a : argv) {
            String w = a instanceof List<?> parts ? parts.stream().map(LiveSystem::name).reduce("", String::concat) : name(a);
            b.append(b.length() == 0 ? "" : " ").append(w.contains(" ") ? "\"" + w + "\"" : w);
        }
        return b.toString();
    }

    private static String name(Object a) {
        if (a == Place.CONVERTED) return "image.qcow2.new";
        return a == Place.IMAGE ? "image.qcow2" : a instanceof Place p ? p.file() : (String) a;
    }

    // ------------------------------------------------------------------------------------------ orchestration

    /** Starts QEMU as {@code n} on the image, as the table launches it. */
    void launch(NodeId n, boolean incoming, boolean readOnly) {
        run(ops(new Action.Launch(n, incoming, readOnly)).get(0));
    }

    /**
     * Hold the target, let the source finish and inactivate, and wait until the image lock is free. False when the
     * source's inactivation failed (a store that failed: migration/savevm.c "bdrv_inactivate_all() failed"): its
     * migration failed at the handover, and the target, released, exits on the broken stream.
     */
    boolean handover() {
        runOnRunning(MigrationOps.handover());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && imageLocked()) {
            String st = procs.get(NodeId.SOURCE).migrationStatus();
            if (QemuProcess.MIGRATION_DONE.contains(st)) break;
            QemuProcess.sleep(5);
        }
        if (alive(NodeId.SOURCE) && procs.get(NodeId.SOURCE).migrationStatus().equals("failed")) {
            thaw();
            abandonTarget();
            mig = Mig.NONE;
            return false;
        }
        mig = Mig.HANDED_OVER;
        return true;
    }

    /**
     * The source's migration failed at its completion (an inactivation that could not store, a flush on a full
     * volume). QEMU 10.0's incoming QEMU sees the stream end and exits. QEMU 7.2's does not: migration/migration.c
     * migration_completion leaves through its fail label without await_return_path_close_on_source, so the return
     * path's QEMUFile keeps the socket open and the incoming QEMU waits in 'active' until the source exits. The
     * model's incoming QEMU exits; the harness kills one still waiting after 5 s, as a management layer would.
     */
    void abandonTarget() {
        volume.completionFailed(this);
        if (waitExit(NodeId.TARGET, 5000)) {
            note("# the source's migration failed and the target still waits on the open stream (QEMU 7.2's return path "
                    + "keeps it open): kill it");
            killTarget();
            waitExit(NodeId.TARGET, 5000);
        }
    }

    void thaw() {
        if (targetFrozen) {
            runOnRunning(List.of(MigrationOps.release()));
        }
        targetFrozen = false;
    }

    void killTarget() {
        runOnRunning(List.of(MigrationOps.killTarget()));
        targetFrozen = false;
    }

    void cancelAndWait() {
        if (!alive(NodeId.SOURCE)) return;
        run(MigrationOps.cancel(Flavour.LIVE));
        procs.get(NodeId.SOURCE).waitForMigration(MIGRATION_TIMEOUT);
    }

    /**
     * A migration that had handed over ended without success: the source activates again in
     * migration_iteration_finish (migration_block_activate), just after its status changed. Where QEMU reports the
     * node's {@code active} field (10.0), wait up to 3 s for that; a node that stays inactive is then observed as such.
     */
    void awaitSourceActivation() {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (alive(NodeId.SOURCE) && System.nanoTime() < deadline) {
            try {
                java.util.Optional<Boolean> active = procs.get(NodeId.SOURCE).active(QemuLauncher.DRIVE_NODE);
                if (active.isEmpty() || active.get()) return;
            } catch (RuntimeException e) {
                return;
            }
            QemuProcess.sleep(10);
        }
    }

    /** A process went away: the other side of a running migration reacts. */
    void afterGone(NodeId n) {
        if (mig == Mig.NONE) return;
        if (n == NodeId.TARGET) {
            if (mig == Mig.PRE_SWITCHOVER) {
                note("# the target is gone while the source waits in pre-switchover; cancel it");
                cancelAndWait();
            } else if (alive(NodeId.SOURCE)) {
                procs.get(NodeId.SOURCE).waitForMigration(MIGRATION_TIMEOUT);
            }
        } else {
            // The source is gone: let the target see what it really received.
            thaw();
            waitExitOrDone(NodeId.TARGET, 5000);
        }
        mig = Mig.NONE;
    }

    void awaitTargetExitIfFailed() {
        waitExit(NodeId.TARGET, 3000);
    }

    /** Waits up to {@code millis} for the process to exit; true if it still runs. */
    boolean waitExit(NodeId n, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (alive(n) && System.nanoTime() < deadline) {
            QemuProcess.sleep(10);
        }
        return alive(n);
    }

    private void waitExitOrDone(NodeId n, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (alive(n) && System.nanoTime() < deadline) {
            try {
                // A completed incoming QEMU runs on; a failed one exits shortly after: wait for that exit.
                String st = procs.get(n).migrationStatus();
                if (st.equals("completed")) return;
            } catch (RuntimeException e) {
                return;
            }
            QemuProcess.sleep(20);
        }
    }

    /** True when some process holds the image's write lock ({@code qemu-img info} without -U fails). */
    boolean imageLocked() {
        Tools.Result r = Tools.run(List.of("qemu-img", "info", launcher.image().toString()), Duration.ofSeconds(10));
        return r.exitCode() != 0;
    }

    static String firstErrorLine(String out) {
        if (out.contains("Failed to get \"write\" lock")) return QemuErrors.WRITE_LOCK;
        if (out.contains("Failed to get shared \"write\" lock")) return QemuErrors.SHARED_WRITE_LOCK;
        Matcher m = QEMU_IO_ERROR.matcher(out);
        String line = m.find() ? m.group(1) : out.strip().lines().findFirst().orElse("");
        return line.replaceFirst("^qemu-io: ", "").strip();
    }

    static String launchError(String message) {
        if (message.contains("Failed to get \"write\" lock")) return QemuErrors.WRITE_LOCK;
        // block/qcow2.c qcow2_do_open -> qcow2_load_dirty_bitmaps: the IN_USE update of the open fails on a full volume.
        if (message.contains(QemuErrors.DIRECTORY_NO_SPACE)) return QemuErrors.DIRECTORY_NO_SPACE;
        if (message.contains("Failed to get shared \"write\" lock")) return QemuErrors.SHARED_WRITE_LOCK;
        int log = message.indexOf("log: ");
        String tail = log >= 0 ? message.substring(log + 5) : message;
        String first = tail.strip().lines().findFirst().orElse(tail);
        int cut = first.lastIndexOf(": ");
        return cut >= 0 ? first.substring(cut + 2).strip() : first.strip();
    }

    @Override
    public void close() {
        if (targetFrozen) {
            QemuProcess t = procs.get(NodeId.TARGET);
            if (t != null && t.isAlive()) {
                t.kill9();
            }
        }
        launcher.close();
    }
}
