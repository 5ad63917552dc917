package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.NodeId;
import io.vavr.collection.List;

/** A QMP/HMP script and a qemu-iotests skeleton that replay a counterexample on QEMU. */
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

    static String qmp(String cmd, String args) {
        return args == null ? "{\"execute\": \"" + cmd + "\"}" : "{\"execute\": \"" + cmd + "\", \"arguments\": {" + args + "}}";
    }

    static String hmp(String line) {
        return qmp("human-monitor-command", "\"command-line\": \"" + line.replace("\"", "\\\"") + "\"");
    }

    static String node(NodeId n) {
        return n.lower();
    }

    /** One line per step, prefixed by the QEMU it goes to ("source>", "target>") or "$" for a shell command. */
    static String script(Trace t) {
        StringBuilder b = new StringBuilder();
        long disk = bytes(t.configuration().clusters());
        b.append("# Replays ").append(t.policy()).append(" / ").append(t.invariant()).append(" on QEMU.\n")
                .append("# source> and target> lines go to each QEMU's QMP socket; $ lines run in a shell.\n")
                .append("$ qemu-img create -f qcow2 disk.qcow2 ").append(disk).append('\n')
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

    static String line(Action a) {
        {
            if (a instanceof Action.GuestWrite w) return node(w.node()) + "> " + hmp("qemu-io drive0 \"write " + bytes(w.first()) + " "
                    + bytes(w.count()) + "\"") + "\n";
            if (a instanceof Action.ForeignWrite f) return (f.writer() == Action.Writer.UNAWARE
                    ? "# bitmap-unaware writer: it clears autoclear bit 0 (header byte 95, assuming no other autoclear bits)\n"
                    + "$ qemu-io -f raw -c \"write -P 0 95 1\" disk.qcow2\n" : "# bitmap-aware standalone tool\n")
                    + "$ qemu-io -f qcow2 -c \"write " + bytes(f.first()) + " " + bytes(f.count()) + "\" disk.qcow2\n";
            if (a instanceof Action.Inactivate i) return node(i.node()) + "> " + qmp("blockdev-set-active", "\"active\": false") + "\n";
            if (a instanceof Action.Activate i) return node(i.node()) + "> " + qmp("blockdev-set-active", "\"active\": true") + "\n";
            if (a instanceof Action.Cont c) return node(c.node()) + "> " + qmp("cont", null) + "\n";
            if (a instanceof Action.Stop s) return node(s.node()) + "> " + qmp("stop", null) + "\n";
            if (a instanceof Action.MigrateStart m) {
                String caps = "\"capabilities\": [{\"capability\": \"dirty-bitmaps\", \"state\": " + m.capability()
                        + "}, {\"capability\": \"pause-before-switchover\", \"state\": true}]";
                return "source> " + qmp("migrate-set-capabilities", caps) + "\n"
                        + "target> " + qmp("migrate-set-capabilities", "\"capabilities\": [{\"capability\": \"dirty-bitmaps\", \"state\": "
                        + m.capability() + "}]") + "\n"
                        + "source> " + qmp("migrate", "\"uri\": \"unix:mig.sock\"") + "\n"
                        + "# wait for the pre-switchover state: the migration stays in setup/active until it is completed\n";
            }
            if (a instanceof Action.MigrateComplete c) return "source> " + qmp("migrate-continue", "\"state\": \"pre-switchover\"") + "\n"
                    + "# wait for the completed event on both sides\n";
            if (a instanceof Action.MigrateCancel c) return "source> " + hmp("migrate_cancel") + "\n";
            if (a instanceof Action.MigrateFail f) return "# make the migration fail " + (f.when() == Action.FailPoint.BEFORE_HANDOVER
                    ? "before the source inactivates" : "in the final flush after the handover")
                    + ": kill -9 the target, or break the stream\n$ kill -9 $TARGET_PID\n";
            if (a instanceof Action.BitmapAdd add) return node(add.node()) + "> " + qmp("block-dirty-bitmap-add", "\"node\": \"drive0\", \"name\": \""
                    + add.name() + "\", \"granularity\": " + bytes(add.granularity()) + ", \"persistent\": " + add.persistent()
                    + ", \"disabled\": " + add.disabled()) + "\n";
            if (a instanceof Action.BitmapRemove r) return node(r.node()) + "> " + qmp("block-dirty-bitmap-remove", bm(r.name())) + "\n";
            if (a instanceof Action.BitmapClear r) return node(r.node()) + "> " + qmp("block-dirty-bitmap-clear", bm(r.name())) + "\n";
            if (a instanceof Action.BitmapEnable r) return node(r.node()) + "> " + qmp("block-dirty-bitmap-enable", bm(r.name())) + "\n";
            if (a instanceof Action.BitmapDisable r) return node(r.node()) + "> " + qmp("block-dirty-bitmap-disable", bm(r.name())) + "\n";
            if (a instanceof Action.BitmapMerge m) return node(m.node()) + "> " + qmp("block-dirty-bitmap-merge", "\"node\": \"drive0\", \"target\": \""
                    + m.target() + "\", \"bitmaps\": [" + m.sources().map(s -> "\"" + s + "\"").mkString(", ") + "]") + "\n";
            if (a instanceof Action.Quit q) return node(q.node()) + "> " + qmp("quit", null) + "\n";
            if (a instanceof Action.Crash c) return "# kill -9: no clean close, no bitmap store\n$ kill -9 $" + c.node().name() + "_PID\n";
            if (a instanceof Action.Launch l) return "$ qemu-system-x86_64 -nodefaults -display none -machine accel=qtest"
                    + " -blockdev driver=file,filename=disk.qcow2,node-name=file0 -blockdev driver=qcow2,file=file0,node-name=drive0"
                    + (l.readOnly() ? ",read-only=on" : "") + " -qmp unix:" + node(l.node()) + ".qmp,server=on,wait=off"
                    + (l.incoming() ? " -incoming unix:mig.sock" : "") + " &   # " + l.node().name() + "_PID=$!\n";
            if (a instanceof Action.Backup k) return node(k.node()) + "> " + qmp("drive-backup", "\"device\": \"drive0\", \"sync\": \"incremental\", \"bitmap\": \""
                    + k.bitmap() + "\", \"target\": \"inc.qcow2\", \"format\": \"qcow2\"") + "\n";
            if (a instanceof Action.MirrorStart m) return node(m.node()) + "> " + qmp("drive-mirror", "\"job-id\": \"mirror\", \"device\": \"drive0\", "
                    + "\"target\": \"mirror.qcow2\", \"format\": \"qcow2\", \"sync\": \"full\", \"copy-mode\": \"write-blocking\", \"granularity\": "
                    + m.granularity() * Geometry.CLUSTER_BYTES) + "\n";
            if (a instanceof Action.MirrorCopy m) return "# the mirror job copies its next dirty granule (background work, no command)\n";
            if (a instanceof Action.MirrorCancel m) return node(m.node()) + "> " + qmp("block-job-cancel", "\"device\": \"mirror\"") + "\n";
        }
        throw new IllegalArgumentException("unknown action " + a);
    }

    private static String bm(String name) {
        return "\"node\": \"drive0\", \"name\": \"" + name + "\"";
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

    static String py(Action a) {
        String ind = "        ";
        {
            if (a instanceof Action.GuestWrite w) return ind + "self.vm['" + node(w.node()) + "'].hmp_qemu_io('drive0', 'write " + bytes(w.first())
                    + " " + bytes(w.count()) + "')\n";
            if (a instanceof Action.ForeignWrite f) return (f.writer() == Action.Writer.UNAWARE
                    ? ind + "# unaware writer: clear autoclear bit 0 first\n" + ind + "qemu_io('-f', 'raw', '-c', 'write -P 0 95 1', disk)\n" : "")
                    + ind + "qemu_io('-c', 'write " + bytes(f.first()) + " " + bytes(f.count()) + "', disk)\n";
            if (a instanceof Action.Inactivate i) return ind + "self.vm['" + node(i.node()) + "'].qmp('blockdev-set-active', active=False)\n";
            if (a instanceof Action.Activate i) return ind + "self.vm['" + node(i.node()) + "'].qmp('blockdev-set-active', active=True)\n";
            if (a instanceof Action.Cont c) return ind + "self.vm['" + node(c.node()) + "'].qmp('cont')\n";
            if (a instanceof Action.Stop s) return ind + "self.vm['" + node(s.node()) + "'].qmp('stop')\n";
            if (a instanceof Action.MigrateStart m) return ind + "for vm in self.vm.values():\n" + ind + "    vm.qmp('migrate-set-capabilities', capabilities=[\n"
                    + ind + "        {'capability': 'dirty-bitmaps', 'state': " + (m.capability() ? "True" : "False") + "}])\n"
                    + ind + "self.vm['source'].qmp('migrate-set-capabilities', capabilities=[\n"
                    + ind + "    {'capability': 'pause-before-switchover', 'state': True}])\n"
                    + ind + "self.vm['source'].qmp('migrate', uri=f'unix:{mig_sock}')\n";
            if (a instanceof Action.MigrateComplete c) return ind + "self.vm['source'].qmp('migrate-continue', state='pre-switchover')\n"
                    + ind + "self.vm['source'].wait_migration('postmigrate')\n";
            if (a instanceof Action.MigrateCancel c) return ind + "self.vm['source'].qmp('migrate_cancel')\n";
            if (a instanceof Action.MigrateFail f) return ind + "self.vm['target'].kill()  # the migration fails "
                    + (f.when() == Action.FailPoint.BEFORE_HANDOVER ? "before the handover" : "after the handover") + "\n";
            if (a instanceof Action.BitmapAdd add) return ind + "self.vm['" + node(add.node()) + "'].qmp('block-dirty-bitmap-add', node='drive0', name='"
                    + add.name() + "', granularity=" + bytes(add.granularity()) + ", persistent=" + (add.persistent() ? "True" : "False")
                    + ", disabled=" + (add.disabled() ? "True" : "False") + ")\n";
            if (a instanceof Action.BitmapRemove r) return bmPy(r.node(), "remove", r.name());
            if (a instanceof Action.BitmapClear r) return bmPy(r.node(), "clear", r.name());
            if (a instanceof Action.BitmapEnable r) return bmPy(r.node(), "enable", r.name());
            if (a instanceof Action.BitmapDisable r) return bmPy(r.node(), "disable", r.name());
            if (a instanceof Action.BitmapMerge m) return ind + "self.vm['" + node(m.node()) + "'].qmp('block-dirty-bitmap-merge', node='drive0', target='"
                    + m.target() + "', bitmaps=[" + m.sources().map(s -> "'" + s + "'").mkString(", ") + "])\n";
            if (a instanceof Action.Quit q) return ind + "self.vm.pop('" + node(q.node()) + "').shutdown()\n";
            if (a instanceof Action.Crash c) return ind + "self.vm.pop('" + node(c.node()) + "').kill()  # kill -9\n";
            if (a instanceof Action.Launch l) return ind + "self.launch('" + node(l.node()) + "'" + (l.incoming() ? ", incoming=True" : "")
                    + (l.readOnly() ? ", read_only=True" : "") + ")\n";
            if (a instanceof Action.Backup k) return ind + "self.vm['" + node(k.node()) + "'].qmp('drive-backup', device='drive0', sync='incremental', bitmap='"
                    + k.bitmap() + "', target=os.path.join(iotests.test_dir, 'inc.qcow2'), format='qcow2')\n";
            if (a instanceof Action.MirrorStart m) return ind + "self.vm['" + node(m.node()) + "'].qmp('drive-mirror', job_id='mirror', device='drive0', "
                    + "target=os.path.join(iotests.test_dir, 'mirror.qcow2'), format='qcow2', sync='full', copy_mode='write-blocking', granularity="
                    + m.granularity() * Geometry.CLUSTER_BYTES + ")\n";
            if (a instanceof Action.MirrorCopy m) return ind + "# the mirror job copies its next dirty granule (background work)\n";
            if (a instanceof Action.MirrorCancel m) return ind + "self.vm['" + node(m.node()) + "'].qmp('block-job-cancel', device='mirror')\n";
        }
        throw new IllegalArgumentException("unknown action " + a);
    }

    private static String bmPy(NodeId n, String op, String name) {
        return "        self.vm['" + node(n) + "'].qmp('block-dirty-bitmap-" + op + "', node='drive0', name='" + name + "')\n";
    }
}
