package dev.bitmig.report;

import dev.bitmig.qemu.Op;
import dev.bitmig.qemu.Place;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table's operations as plain data (maps, lists, strings) for the reproducer's runtime, which executes them: a
 * {@link Place} becomes {@code {"place": NAME}}, resolved in the reproducer's own temporary directory.
 */
final class OpData {
    private OpData() {
    }

    static List<Object> of(List<Op> ops) {
        List<Object> out = new ArrayList<>();
        ops.forEach(op -> out.add(of(op)));
        return out;
    }

    static Map<String, Object> of(Op op) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (op instanceof Op.Qmp q) {
            m.put("op", "qmp");
            m.put("node", q.node().lower());
            m.put("command", q.command());
            m.put("args", value(q.args()));
        } else if (op instanceof Op.QemuIo io) {
            m.put("op", "qemu-io");
            m.put("node", io.node().lower());
            m.put("drive", io.drive());
            m.put("command", io.command());
        } else if (op instanceof Op.Tool t) {
            m.put("op", "tool");
            m.put("argv", value(t.argv()));
            m.put("remark", t.remark());
        } else if (op instanceof Op.Launch l) {
            m.put("op", "launch");
            m.put("node", l.node().lower());
            m.put("readOnly", l.readOnly());
            m.put("argv", value(l.argv()));
        } else if (op instanceof Op.Quit q) {
            m.put("op", "quit");
            m.put("node", q.node().lower());
        } else if (op instanceof Op.Kill k) {
            m.put("op", "kill");
            m.put("node", k.node().lower());
        } else if (op instanceof Op.Signal s) {
            m.put("op", "signal");
            m.put("node", s.node().lower());
            m.put("name", s.name());
        } else if (op instanceof Op.Await w) {
            m.put("op", "await");
            m.put("node", w.node().lower());
            m.put("state", w.state());
        } else if (op instanceof Op.Note n) {
            m.put("op", "note");
            m.put("text", n.text());
        } else if (op instanceof Op.ClearAutoclearBit0) {
            m.put("op", "clear-autoclear-bit0");
        } else if (op instanceof Op.Unmappable u) {
            m.put("op", "unmappable");
            m.put("why", u.why());
        } else {
            throw new IllegalArgumentException("the reproducer does not execute " + op);
        }
        return m;
    }

    private static Object value(Object v) {
        if (v instanceof Place p) return Map.of("place", p.name());
        if (v instanceof List<?> l) return l.stream().map(OpData::value).toList();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, value(x)));
            return out;
        }
        return v;
    }
}
