package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.NodeId;
import dev.bitmig.qemu.Flavour;
import dev.bitmig.qemu.QemuTable;
import io.vavr.collection.List;

/**
 * A QMP/HMP script that replays a counterexample on QEMU: each step is rendered from
 * {@link QemuTable}, the one mapping from actions to QEMU operations.
 */
final class QemuScript {
    private QemuScript() {
    }

    /** The actions that bring the trace's initial world about, before its own actions. */
    static List<Action> prelude(Trace t) {
        Bounds b = t.configuration();
        if (t.initial() == InitialWorld.TARGET_WAITING) {
            return List.of(new Action.Launch(NodeId.SOURCE, false), new Action.Launch(NodeId.TARGET, true));
        }
        return List.of(new Action.Launch(NodeId.SOURCE, false),
                new Action.BitmapAdd(NodeId.SOURCE, b.names().head(), b.granularities().head(), true, false),
                new Action.Quit(NodeId.SOURCE), new Action.Launch(NodeId.SOURCE, false),
                new Action.Launch(NodeId.TARGET, true));
    }

    static long bytes(int clusters) {
        return clusters * Geometry.CLUSTER_BYTES;
    }

    /** One line per step, prefixed by the QEMU it goes to ("source>", "target>") or "$" for a shell command. */
    static String script(Trace t) {
        StringBuilder b = new StringBuilder();
        b.append("# Replays ").append(t.policy()).append(" / ").append(t.invariant()).append(" on QEMU.\n")
                .append("# source> and target> lines go to each QEMU's QMP socket; $ lines run in a shell.\n")
                .append(ScriptLines.of(QemuTable.createImage(t.configuration().clusters())))
                .append("# --- prelude: the initial world ").append(t.initial()).append('\n');
        prelude(t).forEach(a -> b.append(line(a)));
        b.append("# --- the counterexample\n");
        int step = 0;
        for (Action a : t.actions()) {
            step++;
            b.append("# step ").append(step).append(": ").append(a).append('\n').append(line(a));
        }
        b.append("# expected: ").append(t.invariant()).append(" breaks: ").append(t.message()).append('\n');
        return b.toString();
    }

    /** The action's operations in the table, as script lines. */
    static String line(Action a) {
        return ScriptLines.of(QemuTable.ops(a, Flavour.SCRIPT));
    }
}
