package dev.bitmig.report;

import dev.bitmig.qemu.Op;
import dev.bitmig.qemu.Place;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the table's operations as statements of a qemu-iotests test method (tests/qemu-iotests/iotests.py: VM.qmp,
 * VM.hmp_qemu_io, qemu_io, wait_migration), inside {@code self.vm}, a dict of the running VMs by node name.
 */
final class IotestLines {
    static final String IND = "        ";

    private IotestLines() {
    }

    static String of(List<Op> ops) {
        return ops.stream().map(IotestLines::of).collect(Collectors.joining());
    }

    static String of(Op op) {
        if (op instanceof Op.Qmp q) return IND + vm(q.node().lower()) + call(q.command(), q.args(), IND) + "\n";
        if (op instanceof Op.Broadcast b) {
            return IND + "for vm in self.vm.values():\n" + IND + "    vm" + call(b.command(), b.args(), IND + "    ") + "\n";
        }
        if (op instanceof Op.Hmp h) return IND + vm(h.node().lower()) + ".hmp(" + py(h.line()) + ")\n";
        if (op instanceof Op.QemuIo io) return IND + vm(io.node().lower()) + ".hmp_qemu_io(" + py(io.drive()) + ", " + py(io.command()) + ")\n";
        if (op instanceof Op.Tool t) return IND + tool(t.argv()) + "\n";
        if (op instanceof Op.Launch l) return IND + "self.launch(" + py(l.node().lower()) + (l.incoming().isEmpty() ? "" : ", incoming=True")
                + (l.readOnly() ? ", read_only=True" : "") + ")\n";
        if (op instanceof Op.Quit q) return IND + "self.vm.pop(" + py(q.node().lower()) + ").shutdown()\n";
        if (op instanceof Op.Kill k) return IND + (k.forget() ? "self.vm.pop(" + py(k.node().lower()) + ")" : vm(k.node().lower()))
                + ".kill()" + (k.remark().isEmpty() ? "" : "  # " + k.remark()) + "\n";
        if (op instanceof Op.Await w) return IND + vm(w.node().lower()) + ".wait_migration(" + py(w.state()) + ")\n";
        if (op instanceof Op.Note n) return IND + "# " + n.text() + "\n";
        if (op instanceof Op.Signal s) return IND + "os.kill(" + vm(s.node().lower()) + ".get_pid(), signal.SIG" + s.name() + ")\n";
        if (op instanceof Op.ClearAutoclearBit0 || op instanceof Op.Unmappable) return IND + "# " + op + "\n";
        throw new IllegalArgumentException("unknown operation " + op);
    }

    private static String vm(String name) {
        return "self.vm['" + name + "']";
    }

    /** {@code .qmp('command', name=value, ...)}; iotests turns the underscores of keyword names back into dashes. */
    private static String call(String command, Map<String, Object> args, String indent) {
        StringBuilder b = new StringBuilder(".qmp(" + py(command));
        args.forEach((k, v) -> b.append(", ").append(k.replace('-', '_')).append('=').append(value(v, indent)));
        return b.append(')').toString();
    }

    /** A list of objects starts on a line of its own, one level in. */
    private static String value(Object v, String indent) {
        if (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map) {
            return "[\n" + indent + "    " + l.stream().map(IotestLines::py).collect(Collectors.joining(", ")) + "]";
        }
        return py(v);
    }

    static String py(Object v) {
        if (v instanceof String s) return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Place p) return place(p);
        if (v instanceof List<?> l) return l.stream().map(IotestLines::py).collect(Collectors.joining(", ", "[", "]"));
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> py(e.getKey()) + ": " + py(e.getValue())).collect(Collectors.joining(", ", "{", "}"));
        }
        return String.valueOf(v);
    }

    private static String place(Place p) {
        return switch (p) {
            case IMAGE -> "disk";
            case MIGRATION_URI -> "f'unix:{mig_sock}'";
            default -> "os.path.join(iotests.test_dir, " + py(p.file()) + ")";
        };
    }

    /** qemu-io and qemu-img become iotests' qemu_io and qemu_img, which pass -f imgfmt themselves. */
    private static String tool(List<Object> argv) {
        List<String> args = new ArrayList<>();
        for (int i = 1; i < argv.size(); i++) {
            if (argv.get(i).equals("-f") && "qcow2".equals(argv.get(i + 1))) {
                i++;
            } else {
                args.add(py(argv.get(i)));
            }
        }
        return ((String) argv.get(0)).replace('-', '_') + "(" + String.join(", ", args) + ")";
    }
}
