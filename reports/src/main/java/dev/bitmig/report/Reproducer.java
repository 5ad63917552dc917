package dev.bitmig.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.check.Trace;
import dev.bitmig.check.TraceJson;
import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.Release;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import dev.bitmig.qemu.Flavour;
import dev.bitmig.qemu.MigrationOps;
import dev.bitmig.qemu.Place;
import dev.bitmig.qemu.QemuTable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A standalone Python 3 reproducer of a counterexample: the sequence from {@code World.initial} (the initial world's
 * own steps first), each step as the operations of {@link QemuTable} in the live runner's flavour, and after every
 * step the world of the model of each release (QEMU_7_2, QEMU_10_0) it is judged against, the one of the QEMU it runs. The runtime (resource {@code reproducer.py}) runs it
 * on real QEMU as qemu-live's runner does and exits 1 when QEMU's state shows every violation the model predicts,
 * 0 when it does not, 2 when it cannot run.
 */
public final class Reproducer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Disks of at most this many granules get the table from SHA-256 to granules (2^n entries per granularity). */
    private static final int SHA_TABLE_GRANULES = 10;

    private Reproducer() {
    }

    /** The script's text. */
    public static String of(Trace t) {
        Geometry g = t.configuration().geometry();
        List<Action> actions = t.fromRunningSource();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("title", "Reproduces on real QEMU: " + t.policy() + " / " + t.invariant() + " (" + t.message() + ")");
        data.put("clusterBytes", Geometry.CLUSTER_BYTES);
        data.put("drive", QemuTable.DRIVE);
        Map<String, String> places = new LinkedHashMap<>();
        for (Place p : Place.values()) {
            places.put(p.name(), p.file());
        }
        data.put("places", places);
        data.put("setup", OpData.of(List.of(QemuTable.createImage(g.clusters()),
                QemuTable.ops(new Action.Launch(NodeId.SOURCE, false), Flavour.LIVE).get(0))));
        data.put("handover", OpData.of(MigrationOps.handover()));
        data.put("release", OpData.of(MigrationOps.release()));
        data.put("killTarget", OpData.of(MigrationOps.killTarget()));
        data.put("cancel", OpData.of(MigrationOps.cancel(Flavour.LIVE)));
        data.put("migrate", OpData.of(MigrationOps.migrate()));
        data.put("errors", errors());
        data.put("backup", backupJobs(g));
        data.put("noSpace", t.configuration().capabilities().storeFailures() ? noSpace() : null);
        data.put("sha256", shaTable(t, g));

        List<Object> steps = new ArrayList<>();
        for (Action a : actions) {
            Map<String, Object> step = new LinkedHashMap<>();
            ObjectNode action = TraceJson.action(a);
            if (action.has("node")) {
                action.put("node", action.get("node").asText().toLowerCase(java.util.Locale.ROOT));
            }
            step.put("action", action);
            step.put("text", a.toString());
            step.put("ops", OpData.of(QemuTable.ops(a, Flavour.LIVE)));
            step.put("visibleLoss", a instanceof Action.Crash || a instanceof Action.BitmapRemove
                    || a instanceof Action.ForeignWrite f && f.writer() == Action.Writer.UNAWARE
                    || a instanceof Action.ImgBitmap i && i.op() == Action.ImgOp.REMOVE);
            steps.add(step);
        }
        data.put("steps", steps);
        // The model of each release; the script judges QEMU against the one of the QEMU it finds.
        Map<String, Object> models = new LinkedHashMap<>();
        for (Release r : Release.values()) {
            models.put(r.version(), model(Policies.qemu(r), g, actions));
        }
        data.put("models", models);
        String json;
        try {
            json = JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (json.contains("'''")) {
            throw new IllegalStateException("the reproducer's data cannot be quoted");
        }
        return "#!/usr/bin/env python3\n"
                + "# Reproducer of a bitmig counterexample on real QEMU: policy " + t.policy() + ", invariant "
                + t.invariant() + ".\n"
                + "# " + t.message() + "\n"
                + "# Runs the QEMU on PATH (or --qemu PREFIX) in a temporary directory of its own and removes it.\n"
                + "# Exit status: 1 QEMU shows the violation the model predicts, 0 it does not, 2 cannot run.\n"
                + "# Python 3 standard library only. Generated by bitmig report; edit the table, not this file.\n"
                + "import json\n\n"
                + "DATA = json.loads(r'''" + json + "''')\n"
                + runtime();
    }

    /** One release's model along the sequence: its outcome and world after each step, and what it predicts. */
    private static Map<String, Object> model(Policy policy, Geometry g, List<Action> actions) {
        Spec spec = new Spec(policy, g);
        World w = World.initial(g);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", policy.name());
        m.put("initial", ModelView.of(w, g));
        List<Object> steps = new ArrayList<>();
        List<String> predicted = new ArrayList<>();
        for (Action a : actions) {
            Outcome o = spec.apply(w, a);
            w = o.successor().isDefined() ? o.successor().get() : w.withLosses(io.vavr.collection.List.empty());
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("model", o instanceof Outcome.Failed f ? "failed: " + f.reason()
                    : o instanceof Outcome.Rejected r ? "rejected: " + r.reason() : "accepted");
            step.put("world", ModelView.of(w, g));
            for (Invariant i : Invariant.values()) {
                if (i.violation(w, g).isDefined() && !predicted.contains(i.title())) {
                    predicted.add(i.title());
                }
            }
            steps.add(step);
        }
        m.put("steps", steps);
        m.put("predicted", predicted);
        return m;
    }

    /**
     * The backup job's operations that the live runner adds to the table's (LiveMapper): the target node, added once per
     * QEMU process; the speed limit lifted, which lets the job copy its last cluster; job-finalize, which ends it.
     */
    private static Map<String, Object> backupJobs(Geometry g) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("job", dev.bitmig.qemu.BackupJobIds.JOB);
        b.put("filter", dev.bitmig.qemu.BackupJobIds.FILTER);
        Map<String, Object> target = new LinkedHashMap<>();
        Map<String, Object> unthrottle = new LinkedHashMap<>();
        Map<String, Object> finalize = new LinkedHashMap<>();
        for (NodeId n : NodeId.values()) {
            target.put(n.lower(), OpData.of(QemuTable.backupTarget(n, g.clusters())));
            unthrottle.put(n.lower(), OpData.of(dev.bitmig.qemu.Op.qmp(n, "block-job-set-speed", "device",
                    dev.bitmig.qemu.BackupJobIds.JOB, "speed", 0L)));
            finalize.put(n.lower(), OpData.of(dev.bitmig.qemu.Op.qmp(n, "job-finalize", "id",
                    dev.bitmig.qemu.BackupJobIds.JOB)));
        }
        b.put("target", target);
        b.put("unthrottle", unthrottle);
        b.put("finalize", finalize);
        return b;
    }

    /**
     * With store failures: the blkdebug layer every QEMU opens the image through (NoSpaceLayer), as -blockdev JSON for a
     * volume with space and a full one, read-write and read-only; the VolumeFull step's own operations switch it.
     */
    private static Map<String, Object> noSpace() {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("node", dev.bitmig.qemu.NoSpaceLayer.NODE);
        n.put("toggle", dev.bitmig.qemu.NoSpaceLayer.TOGGLE);
        for (boolean full : new boolean[] {false, true}) {
            Map<String, String> modes = new LinkedHashMap<>();
            modes.put("rw", dev.bitmig.qemu.NoSpaceLayer.blockdev(full, false));
            modes.put("ro", dev.bitmig.qemu.NoSpaceLayer.blockdev(full, true));
            n.put(full ? "full" : "space", modes);
        }
        return n;
    }

    private static Map<String, Object> errors() {
        Map<String, Object> e = new LinkedHashMap<>();
        Map<String, String> off = new LinkedHashMap<>();
        Map<String, String> on = new LinkedHashMap<>();
        for (NodeId n : NodeId.values()) {
            off.put(n.lower(), QemuErrors.notRunning(n));
            on.put(n.lower(), QemuErrors.alreadyRunning(n));
        }
        e.put("notRunning", off);
        e.put("alreadyRunning", on);
        e.put("noMigration", QemuErrors.NO_MIGRATION);
        e.put("alreadyHandedOver", QemuErrors.ALREADY_HANDED_OVER);
        e.put("writeLock", QemuErrors.WRITE_LOCK);
        e.put("convertWhileOpen", QemuErrors.CONVERT_WHILE_OPEN);
        e.put("sharedWriteLock", QemuErrors.SHARED_WRITE_LOCK);
        e.put("jobNotFound", QemuErrors.jobNotFound(dev.bitmig.qemu.BackupJobIds.JOB));
        e.put("backupJobRunning", QemuErrors.BACKUP_JOB_RUNNING);
        e.put("jobWriteOnFullVolume", QemuErrors.JOB_WRITE_ON_FULL_VOLUME);
        e.put("toolOnFullVolume", QemuErrors.TOOL_ON_FULL_VOLUME);
        e.put("directoryNoSpace", QemuErrors.DIRECTORY_NO_SPACE);
        return e;
    }

    /**
     * For each granularity of the bounds: the SHA-256 QEMU's x-debug-block-dirty-bitmap-sha256 prints for every set of
     * granules on this disk, so that the script reads back which granules QEMU's bitmap holds.
     */
    private static Map<String, Map<String, List<Integer>>> shaTable(Trace t, Geometry g) {
        Map<String, Map<String, List<Integer>>> out = new LinkedHashMap<>();
        for (int gc : t.configuration().granularities()) {
            int n = g.granules(gc);
            if (n > SHA_TABLE_GRANULES) {
                continue;
            }
            long gran = gc * Geometry.CLUSTER_BYTES;
            Map<String, List<Integer>> table = new LinkedHashMap<>();
            for (int mask = 0; mask < (1 << n); mask++) {
                List<Integer> set = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if ((mask & (1 << i)) != 0) set.add(i);
                }
                String sha = HBitmap.fromGranules(g.clusters() * Geometry.CLUSTER_BYTES, Long.numberOfTrailingZeros(gran),
                        set.stream().mapToLong(Integer::longValue).toArray()).sha256Hex();
                table.put(sha, set);
            }
            out.put(Long.toString(gran), table);
        }
        return out;
    }

    private static String runtime() {
        try (InputStream in = Reproducer.class.getResourceAsStream("reproducer.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
