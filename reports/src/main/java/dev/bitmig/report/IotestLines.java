package dev.bitmig.report;

import dev.bitmig.qemu.Op;
import dev.bitmig.qemu.Place;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the table's operations as statements of a qemu-iotests test method (tests/qemu-iotests/iotests.py), through
 * the helpers every generated test defines ({@link IotestHelpers}): every QMP result is checked, every tool's exit
 * status and output too. The VMs are {@code self.vm}, a dict by node name.
 */
final class IotestLines {
    static final String IND = "        ";

    private IotestLines() {
    }

    static String of(List<Op> ops) {
        return ops.stream().map(IotestLines::of).collect(Collectors.joining());
    }

    /** A launch; {@code extra}: more keyword arguments of the helper (", layer=..."). */
    static String launch(Op.Launch l, String extra) {
        return IND + "self.launch(" + py(l.node().lower()) + (l.incoming().isEmpty() ? "" : ", incoming=True")
                + (l.readOnly() ? ", read_only=True" : "") + extra + ")\n";
    }

    static String of(Op op) {
        if (op instanceof Op.Qmp q) return IND + "self.ok(" + py(q.node().lower()) + ", " + py(q.command()) + args(q.args()) + ")\n";
        if (op instanceof Op.QemuIo io) return IND + "self.hmp_qemu_io(" + py(io.node().lower()) + ", " + py(io.drive()) + ", "
                + py(io.command()) + ")\n";
        if (op instanceof Op.Tool t) return IND + tool(t) + "\n";
        if (op instanceof Op.Launch l) return launch(l, "");
        if (op instanceof Op.Quit q) return IND + "self.vm.pop(" + py(q.node().lower()) + ").shutdown()\n";
        if (op instanceof Op.Kill k) return IND + "self.vm.pop(" + py(k.node().lower()) + ").kill()\n";
        if (op instanceof Op.Await w) return IND + "self.wait_migration_state(" + py(w.node().lower()) + ", " + py(w.state()) + ")\n";
        if (op instanceof Op.Note n) return IND + "# " + n.text() + "\n";
        if (op instanceof Op.Signal s) return IND + "self.signal(" + py(s.node().lower()) + ", signal.SIG" + s.name() + ")\n";
        if (op instanceof Op.ClearAutoclearBit0) return IND + "self.clear_autoclear_bit0()\n";
        throw new IllegalArgumentException("no iotest statement for " + op);
    }

    /**
     * A command the model says fails, with the model's error text: {@code self.attempt(...)} checks that QEMU's error,
     * if it gives one, is that text.
     */
    static String attempt(Op.Qmp q, String error) {
        return IND + "self.attempt(" + py(q.node().lower()) + ", " + py(q.command()) + ", "
                + (q.args().isEmpty() ? "None" : py(q.args())) + ", " + py(error) + ")\n";
    }

    /** {@code , {'name': value, ...}} or nothing. */
    private static String args(Map<String, Object> args) {
        return args.isEmpty() ? "" : ", " + py(args);
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

    /**
     * qemu-io on the image is a bitmap-aware writer whose output must say it wrote; {@code qemu-img info} is the
     * unaware writer's lock probe, which must find the image unlocked; {@code qemu-img bitmap}, {@code check} and
     * {@code convert} must succeed, and {@code mv} of convert's copy over the image is a rename. iotests' qemu_io and qemu_img pass their own
     * format options, so the table's {@code -f qcow2} is left out.
     */
    private static String tool(Op.Tool t) {
        List<String> args = new ArrayList<>();
        List<Object> argv = t.argv();
        for (int i = 1; i < argv.size(); i++) {
            if (argv.get(i).equals("-f") && "qcow2".equals(argv.get(i + 1))) {
                i++;
            } else {
                args.add(py(argv.get(i)));
            }
        }
        String program = (String) argv.get(0);
        if (program.equals("qemu-io")) return "self.image_write(" + String.join(", ", args) + ")";
        if (program.equals("qemu-img") && argv.get(1).equals("info")) return "self.lock_probe()";
        // qemu-img bitmap, check -r all and convert: iotests' qemu_img raises unless the tool succeeds.
        if (program.equals("qemu-img") && List.of("bitmap", "check", "convert").contains(argv.get(1))) {
            return "qemu_img(" + String.join(", ", args) + ")";
        }
        // The rename of convert's copy over the image (mv within one directory is rename(2)).
        if (program.equals("mv") && argv.size() == 4 && argv.get(1).equals("-f")) {
            return "os.replace(" + py(argv.get(2)) + ", " + py(argv.get(3)) + ")";
        }
        throw new IllegalArgumentException("no iotest statement for " + t);
    }
}
