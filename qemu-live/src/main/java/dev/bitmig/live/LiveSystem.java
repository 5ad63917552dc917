package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.World;
import dev.bitmig.model.scenario.Driver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real QEMU behind the model's {@link Driver} interface: one source and one target {@code qemu-system-x86_64} on one
 * shared qcow2 image, driven over QMP. Each model action maps to QEMU operations (see {@code MAPPING.md}); every
 * command issued is appended to a QMP script. {@link #world()} is not supported: QEMU's state is read with
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
    private static final Pattern QEMU_IO_ERROR = Pattern.compile("(?m)^(?:Error: )?(.*(?:failed|read-only|not permitted|lock|Cannot|error).*)$");

    private final Geometry geometry;
    private final QemuLauncher launcher;
    private final Map<NodeId, QemuProcess> procs = new EnumMap<>(NodeId.class);
    private final List<String> script = new ArrayList<>();
    private Mig mig = Mig.NONE;
    private boolean targetFrozen;

    public LiveSystem(Geometry geometry, StepTimings timings) {
        this.geometry = geometry;
        this.launcher = QemuLauncher.options().imageSize(geometry.clusters() * Geometry.CLUSTER_BYTES)
                .timings(timings).create();
        note("shell> qemu-img create -f qcow2 image.qcow2 " + geometry.clusters() * Geometry.CLUSTER_BYTES);
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

    boolean frozen(NodeId n) {
        return n == NodeId.TARGET && targetFrozen && alive(n);
    }

    QemuProcess proc(NodeId n) {
        return procs.get(n);
    }

    private static Role role(NodeId n) {
        return n == NodeId.SOURCE ? Role.SOURCE : Role.TARGET;
    }

    private void note(String line) {
        script.add(line);
    }

    private JsonNode qmp(NodeId n, String command, ObjectNode args) {
        note(n.lower() + "> " + QmpClient.args().put("execute", command).set("arguments", args == null ? QmpClient.args() : args));
        return procs.get(n).qmp().execute(command, args);
    }

    private static long bytes(int clusters) {
        return clusters * Geometry.CLUSTER_BYTES;
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
        try {
            return action.accept(new Mapper());
        } catch (QmpError e) {
            return Outcome.rejected(e.desc());
        }
    }

    // ------------------------------------------------------------------------------------------ the mapping

    private final class Mapper implements Action.Visitor<Outcome> {

        private Outcome ok() {
            return Outcome.next(null);
        }

        private Outcome requireOn(NodeId n) {
            if (!alive(n)) {
                return Outcome.rejected(QemuErrors.notRunning(n));
            }
            if (frozen(n)) {
                throw new Unmappable("the target is held stopped (SIGSTOP) between handover and completion; "
                        + "it cannot answer QMP without completing the migration");
            }
            return null;
        }

        @Override
        public Outcome visit(Action.GuestWrite a) {
            Outcome off = requireOn(a.node());
            if (off != null) return off;
            String cmd = "write -P 0xcd " + bytes(a.first()) + " " + bytes(a.count());
            note(a.node().lower() + "> HMP qemu-io drive0 \"" + cmd + "\"");
            String out;
            try {
                out = procs.get(a.node()).qemuIo(QemuLauncher.DRIVE_NODE, cmd);
            } catch (QemuIoException e) {
                out = e.output();
            }
            if (out.contains("wrote ")) {
                return ok();
            }
            return Outcome.rejected(firstErrorLine(out));
        }

        @Override
        public Outcome visit(Action.ForeignWrite a) {
            if (a.writer() == Action.Writer.AWARE) {
                String cmd = "write -P 0xee " + bytes(a.first()) + " " + bytes(a.count());
                note("shell> qemu-io -f qcow2 -c \"" + cmd + "\" image.qcow2");
                try {
                    QemuImages.qemuIo(launcher.image(), cmd);
                    return ok();
                } catch (QemuIoException e) {
                    return Outcome.rejected(firstErrorLine(e.output()));
                }
            }
            // A bitmap-unaware tool that honours image locking: the harness refuses on its behalf when the image
            // is locked, otherwise clears autoclear bit 0 (its data write would not change any bitmap).
            note("shell> qemu-img info image.qcow2   # lock probe for the unaware writer");
            if (imageLocked()) {
                return Outcome.rejected(QemuErrors.WRITE_LOCK);
            }
            note("shell> clear autoclear bit 0 in the qcow2 header (byte 95)");
            QemuImages.clearAutoclearBit0(launcher.image());
            return ok();
        }

        @Override
        public Outcome visit(Action.Inactivate a) {
            Outcome off = requireOn(a.node());
            if (off != null) return off;
            if (a.node() == NodeId.SOURCE && mig == Mig.PRE_SWITCHOVER) {
                handover();
                return ok();
            }
            throw new Unmappable("QEMU 7.2 has no blockdev-set-active: a node inactivates only when a migration "
                    + "hands over");
        }

        @Override
        public Outcome visit(Action.Activate a) {
            Outcome off = requireOn(a.node());
            if (off != null) return off;
            if (mig == Mig.NONE && procs.get(a.node()).runState().equals("postmigrate")) {
                // The only inactive, non-incoming state reachable on 7.2: activate via cont, then stop again.
                qmp(a.node(), "cont", null);
                qmp(a.node(), "stop", null);
                return ok();
            }
            throw new Unmappable("QEMU 7.2 has no blockdev-set-active: activation happens only through cont, "
                    + "a failed migration or the end of an incoming migration");
        }

        @Override
        public Outcome visit(Action.Cont a) {
            if (a.node() == NodeId.TARGET && frozen(NodeId.TARGET)) {
                note("# cont on the held incoming target: a no-op for an incoming VM (autostart is already on)");
                return ok();
            }
            Outcome off = requireOn(a.node());
            if (off != null) return off;
            if (a.node() == NodeId.SOURCE && mig == Mig.PRE_SWITCHOVER) {
                note("# cont on the source in pre-switchover: the model's source still runs; not sent");
                return ok();
            }
            qmp(a.node(), "cont", null);
            return ok();
        }

        @Override
        public Outcome visit(Action.Stop a) {
            if (a.node() == NodeId.TARGET && frozen(NodeId.TARGET)) {
                throw new Unmappable("stop on the held incoming target");
            }
            Outcome off = requireOn(a.node());
            if (off != null) return off;
            if (a.node() == NodeId.SOURCE && mig != Mig.NONE) {
                throw new Unmappable("stop on the source while QEMU's migration holds it in finish-migrate");
            }
            qmp(a.node(), "stop", null);
            return ok();
        }

        @Override
        public Outcome visit(Action.MigrateStart a) {
            Outcome off = requireOn(NodeId.SOURCE);
            if (off != null) return off;
            if (mig != Mig.NONE) {
                // QEMU answers this itself; keep the harness state.
                qmp(NodeId.SOURCE, "migrate", QmpClient.args().put("uri", launcher.migrationUri()));
                return ok();
            }
            boolean targetUp = alive(NodeId.TARGET);
            if (targetUp) {
                qmp(NodeId.TARGET, "migrate-set-capabilities", caps(a.capability(), false));
            }
            qmp(NodeId.SOURCE, "migrate-set-capabilities", caps(a.capability(), true));
            List<String> names = new ArrayList<>();
            if (a.capability()) {
                for (BitmapInfo b : procs.get(NodeId.SOURCE).bitmaps(QemuLauncher.DRIVE_NODE)) {
                    if (!b.name().isEmpty()) names.add(b.name());
                }
            }
            qmp(NodeId.SOURCE, "migrate", QmpClient.args().put("uri", launcher.migrationUri()));
            String st = procs.get(NodeId.SOURCE).waitForMigration(Set.of("pre-switchover"), MIGRATION_TIMEOUT);
            if (!st.equals("pre-switchover")) {
                String err = procs.get(NodeId.SOURCE).queryMigrate().path("error-desc").asText("");
                awaitTargetExitIfFailed();
                if (err.contains("connect") || err.contains("No such file") || err.contains("refused")) {
                    return Outcome.rejected(err);
                }
                return ok(); // accepted, failed in setup: the model's migration is FAILED too
            }
            mig = Mig.PRE_SWITCHOVER;
            // The target processes the START records asynchronously: wait until it lists them, or exits (clash).
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < deadline && alive(NodeId.TARGET) && !names.isEmpty()) {
                List<String> have;
                try {
                    have = procs.get(NodeId.TARGET).bitmaps(QemuLauncher.DRIVE_NODE).stream().map(BitmapInfo::name).toList();
                } catch (QemuGoneException e) {
                    break;
                }
                if (have.containsAll(names)) break;
                QemuProcess.sleep(10);
            }
            if (!waitExit(NodeId.TARGET, names.isEmpty() ? 0 : 200)) {
                // The incoming side failed (e.g. a name clash on destination): the source still waits in
                // pre-switchover; a management layer cancels it.
                note("# the target exited during setup; cancel the paused source migration");
                cancelAndWait();
                mig = Mig.NONE;
            }
            return ok();
        }

        @Override
        public Outcome visit(Action.MigrateComplete a) {
            if (mig == Mig.NONE) return Outcome.rejected(QemuErrors.NO_MIGRATION);
            if (mig == Mig.PRE_SWITCHOVER) {
                qmp(NodeId.SOURCE, "migrate-continue", QmpClient.args().put("state", "pre-switchover"));
            } else {
                thaw();
            }
            procs.get(NodeId.SOURCE).waitForMigration(MIGRATION_TIMEOUT);
            if (alive(NodeId.TARGET)) {
                try {
                    procs.get(NodeId.TARGET).waitForMigration(MIGRATION_TIMEOUT);
                } catch (QemuGoneException e) {
                    // the target failed and exited
                }
            }
            mig = Mig.NONE;
            return ok();
        }

        @Override
        public Outcome visit(Action.MigrateCancel a) {
            Outcome off = requireOnLoose(NodeId.SOURCE);
            if (off != null) return off;
            if (mig == Mig.NONE) {
                qmp(NodeId.SOURCE, "migrate_cancel", null);
                return ok();
            }
            cancelAndWait();
            if (mig == Mig.HANDED_OVER) {
                // The held target has the whole stream in its socket buffer; the model's incoming QEMU exits on a
                // broken stream, so the harness kills it.
                killTarget();
            } else {
                waitExit(NodeId.TARGET, 5000);
            }
            mig = Mig.NONE;
            return ok();
        }

        @Override
        public Outcome visit(Action.MigrateFail a) {
            if (mig == Mig.NONE) return Outcome.rejected(QemuErrors.NO_MIGRATION);
            if (a.when() == Action.FailPoint.BEFORE_HANDOVER) {
                if (mig == Mig.HANDED_OVER) return Outcome.rejected(QemuErrors.ALREADY_HANDED_OVER);
                // The stream breaks before switchover: the target dies, the paused source is cancelled.
                killTarget();
                cancelAndWait();
                mig = Mig.NONE;
                return ok();
            }
            if (mig == Mig.PRE_SWITCHOVER) {
                handover();
            }
            killTarget();
            procs.get(NodeId.SOURCE).waitForMigration(MIGRATION_TIMEOUT);
            mig = Mig.NONE;
            return ok();
        }

        @Override
        public Outcome visit(Action.BitmapAdd a) {
            Outcome off = requireOn(a.node());
            if (off != null) return off;
            qmp(a.node(), "block-dirty-bitmap-add", QmpClient.args().put("node", QemuLauncher.DRIVE_NODE)
                    .put("name", a.name()).put("granularity", bytes(a.granularity()))
                    .put("persistent", a.persistent()).put("disabled", a.disabled()));
            return ok();
        }

        @Override
        public Outcome visit(Action.BitmapRemove a) {
            return bitmapCommand(a.node(), "block-dirty-bitmap-remove", a.name());
        }

        @Override
        public Outcome visit(Action.BitmapClear a) {
            return bitmapCommand(a.node(), "block-dirty-bitmap-clear", a.name());
        }

        @Override
        public Outcome visit(Action.BitmapEnable a) {
            return bitmapCommand(a.node(), "block-dirty-bitmap-enable", a.name());
        }

        @Override
        public Outcome visit(Action.BitmapDisable a) {
            return bitmapCommand(a.node(), "block-dirty-bitmap-disable", a.name());
        }

        @Override
        public Outcome visit(Action.BitmapMerge a) {
            Outcome off = requireOn(a.node());
            if (off != null) return off;
            ObjectNode args = QmpClient.args().put("node", QemuLauncher.DRIVE_NODE).put("target", a.target());
            ArrayNode src = args.putArray("bitmaps");
            a.sources().forEach(src::add);
            qmp(a.node(), "block-dirty-bitmap-merge", args);
            return ok();
        }

        @Override
        public Outcome visit(Action.Quit a) {
            if (!alive(a.node())) return Outcome.rejected(QemuErrors.notRunning(a.node()));
            if (frozen(a.node())) {
                throw new Unmappable("quit on the held incoming target");
            }
            note(a.node().lower() + "> {\"execute\":\"quit\"}");
            procs.get(a.node()).quit();
            afterGone(a.node());
            return ok();
        }

        @Override
        public Outcome visit(Action.Crash a) {
            if (!alive(a.node())) return Outcome.rejected(QemuErrors.notRunning(a.node()));
            note("signal> kill -9 " + a.node().lower());
            procs.get(a.node()).kill9();
            if (a.node() == NodeId.TARGET) {
                targetFrozen = false;
            }
            afterGone(a.node());
            return ok();
        }

        @Override
        public Outcome visit(Action.Launch a) {
            if (alive(a.node())) return Outcome.rejected(QemuErrors.alreadyRunning(a.node()));
            try {
                launch(a.node(), a.incoming(), a.readOnly());
                return ok();
            } catch (QemuGoneException e) {
                return Outcome.rejected(launchError(e.getMessage()));
            }
        }

        @Override
        public Outcome visit(Action.Backup a) {
            Outcome off = requireOn(a.node());
            if (off != null) return off;
            note("# Backup: an imagined copy of what the bitmap reports (no backup target exists), then clear");
            qmp(a.node(), "block-dirty-bitmap-clear", QmpClient.args().put("node", QemuLauncher.DRIVE_NODE)
                    .put("name", a.bitmap()));
            return ok();
        }

        @Override
        public Outcome visit(Action.MirrorStart a) {
            throw new Unmappable("the mirror job's progress cannot be driven step by step on a real QEMU, and its dirty "
                    + "bitmap is not visible over QMP");
        }

        @Override
        public Outcome visit(Action.MirrorCopy a) {
            throw new Unmappable("a mirror iteration is QEMU's background work, not a command");
        }

        @Override
        public Outcome visit(Action.MirrorCancel a) {
            throw new Unmappable("no mirror job is ever started on the real QEMU");
        }

        private Outcome bitmapCommand(NodeId n, String cmd, String name) {
            Outcome off = requireOn(n);
            if (off != null) return off;
            qmp(n, cmd, QmpClient.args().put("node", QemuLauncher.DRIVE_NODE).put("name", name));
            return ok();
        }

        private Outcome requireOnLoose(NodeId n) {
            return alive(n) ? null : Outcome.rejected(QemuErrors.notRunning(n));
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void launch(NodeId n, boolean incoming, boolean readOnly) {
        Incoming how = !incoming ? Incoming.NONE : n == NodeId.TARGET ? Incoming.UNIX : Incoming.DEFER;
        note("shell> qemu-system-x86_64 -M none -nodefaults -display none -qmp unix:" + n.lower() + ".qmp,server=on,wait=off"
                + " -blockdev driver=file,filename=image.qcow2,node-name=file0" + (readOnly ? ",read-only=on" : "")
                + " -blockdev driver=qcow2,file=file0,node-name=drive0" + (readOnly ? ",read-only=on" : "")
                + (how == Incoming.UNIX ? " -incoming unix:mig.sock" : how == Incoming.DEFER ? " -incoming defer" : ""));
        QemuProcess p = launcher.launch(role(n), how, false, readOnly);
        procs.put(n, p);
        if (n == NodeId.TARGET) {
            targetFrozen = false;
        }
    }

    private static ObjectNode caps(boolean bitmaps, boolean source) {
        ArrayNode caps = QmpClient.json().createArrayNode();
        caps.addObject().put("capability", "dirty-bitmaps").put("state", bitmaps);
        caps.addObject().put("capability", "events").put("state", true);
        caps.addObject().put("capability", "return-path").put("state", true);
        if (source) {
            caps.addObject().put("capability", "pause-before-switchover").put("state", true);
        }
        return QmpClient.args().set("capabilities", caps);
    }

    /** Hold the target, let the source finish and inactivate, and wait until the image lock is free. */
    private void handover() {
        if (alive(NodeId.TARGET)) {
            note("signal> kill -STOP target");
            procs.get(NodeId.TARGET).sigstop();
            targetFrozen = true;
        }
        qmp(NodeId.SOURCE, "migrate-continue", QmpClient.args().put("state", "pre-switchover"));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && imageLocked()) {
            String st = procs.get(NodeId.SOURCE).migrationStatus();
            if (QemuProcess.MIGRATION_DONE.contains(st)) break;
            QemuProcess.sleep(5);
        }
        mig = Mig.HANDED_OVER;
    }

    private void thaw() {
        if (targetFrozen && alive(NodeId.TARGET)) {
            note("signal> kill -CONT target");
            procs.get(NodeId.TARGET).sigcont();
        }
        targetFrozen = false;
    }

    private void killTarget() {
        if (alive(NodeId.TARGET)) {
            note("signal> kill -9 target");
            procs.get(NodeId.TARGET).kill9();
        }
        targetFrozen = false;
    }

    private void cancelAndWait() {
        if (!alive(NodeId.SOURCE)) return;
        qmp(NodeId.SOURCE, "migrate_cancel", null);
        procs.get(NodeId.SOURCE).waitForMigration(MIGRATION_TIMEOUT);
    }

    /** A process went away: the other side of a running migration reacts. */
    private void afterGone(NodeId n) {
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

    private void awaitTargetExitIfFailed() {
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
