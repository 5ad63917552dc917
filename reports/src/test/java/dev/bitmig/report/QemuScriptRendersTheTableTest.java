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

/** The QMP script, the qemu-iotests test and the Python reproducer of small traces: each step is its table entry. */
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

    static final Trace LOSS = new Trace(Bounds.DEFAULT, "QEMU_UPSTREAM", List.empty(), InitialWorld.BITMAP_LOADED,
            List.of(new Action.MigrateStart(true), new Action.Quit(NodeId.SOURCE)), "NoSilentLoss", "'a' is gone");

    @Test
    void theIotestIsTheLiveFlavourOfTheTableRenderedWithEveryResultChecked() {
        Iotest.Result r = Iotest.of(LOSS, "bitmig-small");
        assertThat(r.generated()).as(r.whyNot()).isTrue();
        assertThat(r.test()).contains("iotests.main(supported_fmts=['qcow2'], supported_protocols=['file'])")
                .contains("GNU General Public License").contains("either version 2 of the License, or");
        for (Action a : List.of(new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, false), new Action.MigrateStart(true))) {
            assertThat(r.test()).contains(IotestLines.of(QemuTable.ops(a, Flavour.LIVE)));
        }
        assertThat(r.test()).contains("""
                        # step 5: MigrateStart[capability=true]
                        self.ok('target', 'migrate-set-capabilities', {'capabilities': [{'capability': 'dirty-bitmaps', \
                'state': True}, {'capability': 'events', 'state': True}, {'capability': 'return-path', 'state': True}]})
                """).contains("""
                        self.wait_migration_state('source', 'pre-switchover')
                        self.wait_target_lists(['a'])
                        # step 6: Quit[node=SOURCE]
                        self.vm.pop('source').shutdown()
                        self.wait_exit('target')
                        # NoSilentLoss breaks here on QEMU_UPSTREAM: persistent bitmap 'a' is gone\
                """)
                .endsWith("""
                        self.assert_not_lost('a', 6)


                if __name__ == '__main__':
                    iotests.main(supported_fmts=['qcow2'], supported_protocols=['file'])
                """);
        assertThat(r.reference()).isEqualTo(Iotest.REFERENCE);
    }

    static final Trace LOST_DISK = new Trace(Bounds.DEFAULT, "QEMU_UPSTREAM", List.empty(), InitialWorld.BITMAP_LOADED,
            List.of(new Action.MigrateStart(true), new Action.MigrateComplete(), new Action.Quit(NodeId.TARGET),
                    new Action.Activate(NodeId.SOURCE)), "NoLostDisk", "the source lost its disk");

    @Test
    void aLostDiskIsAStepThatMayFailOnlyWithQemusTextAndThenAnAssertionThatTheDiskStays() {
        Iotest.Result r = Iotest.of(LOST_DISK, "bitmig-lost");
        assertThat(r.generated()).as(r.whyNot()).isTrue();
        assertThat(r.invariant()).isEqualTo("NoLostDisk");
        assertThat(r.failure()).isEqualTo("Could not reopen qcow2 layer: Bitmap already exists: a");
        assertThat(r.test()).contains("    def test_nolostdisk(self):\n").contains("""
                        # step 8: Activate[node=SOURCE]
                        # QEMU_UPSTREAM: cont fails with 'Could not reopen qcow2 layer: Bitmap already exists: a'
                        if self.attempt('source', 'cont', None, 'Could not reopen qcow2 layer: Bitmap already exists: a'):
                            self.ok('source', 'stop')
                        # NoLostDisk breaks here on QEMU_UPSTREAM: the source QEMU lost its disk\
                """).contains("""
                        self.assert_has_disk('source', 8)


                if __name__ == '__main__':
                """);
    }

    @Test
    void aTraceOfAnotherInvariantStopsOnTheLostDiskWhereTheModelOfQemuLosesItFirst() {
        Trace t = new Trace(Bounds.DEFAULT, "CANARY_DROP", List.empty(), InitialWorld.BITMAP_LOADED,
                List.of(new Action.MigrateStart(true), new Action.MigrateComplete(), new Action.Quit(NodeId.TARGET),
                        new Action.Cont(NodeId.SOURCE)), "NoSilentLoss", "'a' is gone");
        Iotest.Result r = Iotest.of(t, "bitmig-other");
        assertThat(r.generated()).as(r.whyNot()).isTrue();
        assertThat(r.invariant()).isEqualTo("NoLostDisk");
        assertThat(r.test()).contains("# On today's QEMU (QEMU_UPSTREAM) the sequence breaks NoLostDisk first.")
                .contains("""
                        # step 8: Cont[node=SOURCE]
                        # QEMU_UPSTREAM: cont fails with 'Could not reopen qcow2 layer: Bitmap already exists: a'
                        self.attempt('source', 'cont', None, 'Could not reopen qcow2 layer: Bitmap already exists: a')
                        # NoLostDisk breaks here\
                """);
    }

    @Test
    void aSequenceTheModelDoesNotBreakHasNoIotest() {
        assertThat(Iotest.of(TRACE, "bitmig-small").whyNot())
                .isEqualTo("the model (QEMU_UPSTREAM) does not break NoUnderReport on this sequence");
    }

    @Test
    void theReproducerCarriesTheTableAndTheModelsPrediction() {
        String py = Reproducer.of(LOSS);
        assertThat(py).startsWith("#!/usr/bin/env python3\n").contains("\"predicted\":[\"NoSilentLoss\"]")
                .contains("\"op\":\"launch\"").contains("def main():").doesNotContain("source> {");
    }
}
