package dev.bitmig.report;

import dev.bitmig.model.NodeId;
import dev.bitmig.qemu.Op;
import dev.bitmig.qemu.Place;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the table's operations as lines of the reproducer script: "source>" and "target>" lines are QMP JSON for that
 * QEMU's socket (docs/interop/qmp-spec.rst), "$" lines run in a shell, "#" lines are for the reader.
 */
final class ScriptLines {
    private ScriptLines() {
    }

    static String of(List<Op> ops) {
        return ops.stream().map(ScriptLines::of).collect(Collectors.joining());
    }

    static String of(Op op) {
        if (op instanceof Op.Qmp q) return to(q.node(), q.command(), q.args());
        if (op instanceof Op.Hmp h) return hmp(h.node(), h.line());
        if (op instanceof Op.QemuIo io) return hmp(io.node(), "qemu-io " + io.drive() + " \"" + io.command() + "\"");
        if (op instanceof Op.Tool t) return "$ " + shell(t.argv()) + (t.remark().isEmpty() ? "" : "   # " + t.remark()) + "\n";
        if (op instanceof Op.Launch l) return "$ " + shell(l.argv()) + " &   # " + pid(l.node()) + "=$!\n";
        if (op instanceof Op.Quit q) return to(q.node(), "quit", Map.of());
        if (op instanceof Op.Kill k) return (k.remark().isEmpty() ? "" : "# " + k.remark() + "\n") + "$ kill -9 $" + pid(k.node()) + "\n";
        if (op instanceof Op.Signal s) return "$ kill -" + s.name() + " $" + pid(s.node()) + "\n";
        if (op instanceof Op.Await w) return "# wait until " + w.node().lower() + " is " + w.state() + "\n";
        if (op instanceof Op.Note n) return "# " + n.text() + "\n";
        if (op instanceof Op.ClearAutoclearBit0) return "# clear autoclear bit 0 in the qcow2 header\n";
        if (op instanceof Op.Unmappable u) return "# not mappable: " + u.why() + "\n";
        throw new IllegalArgumentException("unknown operation " + op);
    }

    private static String pid(NodeId n) {
        return n.name() + "_PID";
    }

    private static String hmp(NodeId n, String line) {
        return to(n, "human-monitor-command", Map.of("command-line", line));
    }

    /** One QMP command line; a command without arguments has no "arguments" member. */
    static String to(NodeId n, String command, Map<String, Object> args) {
        return n.lower() + "> {\"execute\": \"" + command + "\"" + (args.isEmpty() ? "" : ", \"arguments\": " + json(args)) + "}\n";
    }

    static String json(Object v) {
        if (v instanceof String s) return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        if (v instanceof Place p) return json(p.file());
        if (v instanceof List<?> l) return l.stream().map(ScriptLines::json).collect(Collectors.joining(", ", "[", "]"));
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> json(e.getKey()) + ": " + json(e.getValue())).collect(Collectors.joining(", ", "{", "}"));
        }
        return String.valueOf(v);
    }

    /** Shell words: an argument with a space is quoted; a list is its parts joined. */
    static String shell(List<Object> argv) {
        return argv.stream().map(a -> {
            String s = word(a);
            return s.contains(" ") ? "\"" + s + "\"" : s;
        }).collect(Collectors.joining(" "));
    }

    private static String word(Object a) {
        if (a instanceof Place p) return p.file();
        if (a instanceof List<?> parts) return parts.stream().map(ScriptLines::word).collect(Collectors.joining());
        return (String) a;
    }
}
