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
 * A QMP/HMP script and a qemu-iotests skeleton that replay a counterexample on QEMU: each step is rendered from
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

    /** A qemu-iotests style Python test that performs the same steps and asserts what the invariant demands. */
    static String iotest(Trace t, String className) {
        StringBuilder b = new StringBuilder();
        long disk = bytes(t.configuration().clusters());
        b.append("#!/usr/bin/env python3\n# group: rw migration\n")
                .append("# Counterexample: policy ").append(t.policy()).append(", invariant ").append(t.invariant()).append('\n')
                .append("import os\nimport iotests\nfrom iotests import qemu_img_create, qemu_io\n\n")
                .append("disk = os.path.join(iotests.test_dir, 'disk.qcow2')\n")
                .append("mig_sock = os.path.join(iotests.sock_dir, 'mig.sock')\n\n\n")
                .append("class Test").append(className).append("(iotests.QMPTestCase):\n")
                .append("    def setUp(self):\n")
                .append("        qemu_img_create('-f', iotests.imgfmt, disk, '").append(disk).append("')\n")
                .append("        self.vm = {}\n")
                .append("        # the initial world ").append(t.initial().name()).append('\n')
                .append(prelude(t).map(QemuScript::py).mkString()).append('\n')
                .append("    def launch(self, name, incoming=False, read_only=False):\n")
                .append("        vm = iotests.VM(path_suffix=name).add_drive(disk, 'node-name=drive0'\n")
                .append("                                                + (',read-only=on' if read_only else ''))\n")
                .append("        if incoming:\n            vm.add_incoming(f'unix:{mig_sock}')\n")
                .append("        vm.launch()\n        self.vm[name] = vm\n\n")
                .append("    def tearDown(self):\n        for vm in self.vm.values():\n            vm.shutdown()\n")
                .append("        os.remove(disk)\n\n")
                .append("    def test_counterexample(self):\n");
        int step = 0;
        for (Action a : t.actions()) {
            b.append("        # step ").append(++step).append(": ").append(a).append('\n').append(py(a));
        }
        b.append("        # Expected failure under ").append(t.policy()).append(": ").append(t.invariant()).append('\n')
                .append("        # ").append(t.message()).append('\n');
        switch (t.invariant()) {
            case "NoUnderReport" -> b.append("        # Every usable bitmap must report at least the clusters written while it recorded.\n")
                    .append("        for vm in self.vm.values():\n")
                    .append("            for blk in vm.qmp('query-block')['return']:\n")
                    .append("                for bm in blk.get('inserted', {}).get('dirty-bitmaps', []):\n")
                    .append("                    self.assertGreater(bm['count'], 0, 'under-report: ' + bm['name'])\n");
            case "SingleWriter" -> b.append("        running = [n for n, vm in self.vm.items() if vm.is_running()\n")
                    .append("                   and vm.qmp('query-status')['return']['status'] == 'running']\n")
                    .append("        self.assertLessEqual(len(running), 1, 'two writers on one image')\n");
            default -> b.append("        # No persistent bitmap may vanish silently: it is in RAM or on the image.\n")
                    .append("        out = qemu_io('-r', '-c', 'info', disk)\n")
                    .append("        self.assertIn('bitmaps', str(out), 'silent bitmap loss')\n");
        }
        b.append("\n\nif __name__ == '__main__':\n    iotests.main(supported_fmts=['qcow2'])\n");
        return b.toString();
    }

    /** The action's operations in the table, as statements of the test method. */
    static String py(Action a) {
        return IotestLines.of(QemuTable.ops(a, Flavour.IOTEST));
    }
}
