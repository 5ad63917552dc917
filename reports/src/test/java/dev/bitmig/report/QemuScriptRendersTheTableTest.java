package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.qemu.Flavour;
import dev.bitmig.qemu.QemuTable;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The reproducer script and the iotest skeleton of a small trace: each step is its entry in the table, rendered. */
class QemuScriptRendersTheTableTest {
    static final List<Action> STEPS = List.of(new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, false),
            new Action.GuestWrite(NodeId.SOURCE, 0, 1), new Action.MigrateStart(true), new Action.MigrateComplete(),
            new Action.Crash(NodeId.TARGET));
    static final Trace TRACE = new Trace(Bounds.DEFAULT, "QemuUpstream", List.empty(), InitialWorld.TARGET_WAITING, STEPS,
            "NoUnderReport", "the bitmap reports nothing");

    @Test
    void theScriptIsTheTableRendered() {
        String script = QemuScript.script(TRACE);
        int step = 0;
        for (Action a : STEPS) {
            assertThat(script).contains("# step " + ++step + ": " + a + "\n" + ScriptLines.of(QemuTable.ops(a, Flavour.SCRIPT)));
        }
        assertThat(script).isEqualTo("""
                # Replays QemuUpstream / NoUnderReport on QEMU.
                # source> and target> lines go to each QEMU's QMP socket; $ lines run in a shell.
                $ qemu-img create -f qcow2 disk.qcow2 196608
                # --- prelude: the initial world TARGET_WAITING
                $ qemu-system-x86_64 -nodefaults -display none -machine accel=qtest \
                -blockdev driver=file,filename=disk.qcow2,node-name=file0 -blockdev driver=qcow2,file=file0,node-name=drive0 \
                -qmp unix:source.qmp,server=on,wait=off &   # SOURCE_PID=$!
                $ qemu-system-x86_64 -nodefaults -display none -machine accel=qtest \
                -blockdev driver=file,filename=disk.qcow2,node-name=file0 -blockdev driver=qcow2,file=file0,node-name=drive0 \
                -qmp unix:target.qmp,server=on,wait=off -incoming unix:mig.sock &   # TARGET_PID=$!
                # --- the counterexample
                # step 1: BitmapAdd[node=SOURCE, name=a, granularity=1, persistent=true, disabled=false]
                source> {"execute": "block-dirty-bitmap-add", "arguments": {"node": "drive0", "name": "a", \
                "granularity": 65536, "persistent": true, "disabled": false}}
                # step 2: GuestWrite[node=SOURCE, first=0, count=1]
                source> {"execute": "human-monitor-command", "arguments": {"command-line": "qemu-io drive0 \\"write 0 65536\\""}}
                # step 3: MigrateStart[capability=true]
                source> {"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "dirty-bitmaps", \
                "state": true}, {"capability": "pause-before-switchover", "state": true}]}}
                target> {"execute": "migrate-set-capabilities", "arguments": {"capabilities": [{"capability": "dirty-bitmaps", \
                "state": true}]}}
                source> {"execute": "migrate", "arguments": {"uri": "unix:mig.sock"}}
                # wait for the pre-switchover state: the migration stays in setup/active until it is completed
                # step 4: MigrateComplete[]
                source> {"execute": "migrate-continue", "arguments": {"state": "pre-switchover"}}
                # wait for the completed event on both sides
                # step 5: Crash[node=TARGET]
                # kill -9: no clean close, no bitmap store
                $ kill -9 $TARGET_PID
                # expected: NoUnderReport breaks: the bitmap reports nothing
                """);
    }

    @Test
    void theIotestIsTheTableRendered() {
        String py = QemuScript.iotest(TRACE, "Small");
        int step = 0;
        for (Action a : STEPS) {
            assertThat(py).contains("        # step " + ++step + ": " + a + "\n" + IotestLines.of(QemuTable.ops(a, Flavour.IOTEST)));
        }
        assertThat(py).contains("""
                        self.launch('source')
                        self.launch('target', incoming=True)
                """).contains("""
                    def test_counterexample(self):
                        # step 1: BitmapAdd[node=SOURCE, name=a, granularity=1, persistent=true, disabled=false]
                        self.vm['source'].qmp('block-dirty-bitmap-add', node='drive0', name='a', granularity=65536, \
                persistent=True, disabled=False)
                        # step 2: GuestWrite[node=SOURCE, first=0, count=1]
                        self.vm['source'].hmp_qemu_io('drive0', 'write 0 65536')
                        # step 3: MigrateStart[capability=true]
                        for vm in self.vm.values():
                            vm.qmp('migrate-set-capabilities', capabilities=[
                                {'capability': 'dirty-bitmaps', 'state': True}])
                        self.vm['source'].qmp('migrate-set-capabilities', capabilities=[
                            {'capability': 'pause-before-switchover', 'state': True}])
                        self.vm['source'].qmp('migrate', uri=f'unix:{mig_sock}')
                        # step 4: MigrateComplete[]
                        self.vm['source'].qmp('migrate-continue', state='pre-switchover')
                        self.vm['source'].wait_migration('postmigrate')
                        # step 5: Crash[node=TARGET]
                        self.vm.pop('target').kill()  # kill -9
                """);
    }
}
