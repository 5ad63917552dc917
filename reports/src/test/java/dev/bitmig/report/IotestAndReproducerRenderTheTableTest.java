package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Policies;
import dev.bitmig.qemu.Flavour;
import dev.bitmig.qemu.QemuTable;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The qemu-iotests test and the Python reproducer of small traces: each step is its table entry. */
class IotestAndReproducerRenderTheTableTest {
    static final List<Action> STEPS = List.of(new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, false),
            new Action.GuestWrite(NodeId.SOURCE, 0, 1), new Action.MigrateStart(true), new Action.MigrateComplete(),
            new Action.Crash(NodeId.TARGET));
    static final Trace TRACE = new Trace(Bounds.DEFAULT, "QemuUpstream", List.empty(), InitialWorld.TARGET_WAITING, STEPS,
            "NoUnderReport", "the bitmap reports nothing");

    static final Trace LOSS = new Trace(Bounds.DEFAULT, "QEMU_7_2", List.empty(), InitialWorld.BITMAP_LOADED,
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
                        # NoSilentLoss breaks here on QEMU_7_2: persistent bitmap 'a' is gone\
                """)
                .endsWith("""
                        self.assert_not_lost('a', 6)


                if __name__ == '__main__':
                    iotests.main(supported_fmts=['qcow2'], supported_protocols=['file'])
                """);
        assertThat(r.reference()).isEqualTo(Iotest.REFERENCE);
    }

    static final Trace LOST_DISK = new Trace(Bounds.DEFAULT, "QEMU_10_0", List.empty(), InitialWorld.BITMAP_LOADED,
            List.of(new Action.MigrateStart(true), new Action.MigrateComplete(), new Action.Quit(NodeId.TARGET),
                    new Action.Activate(NodeId.SOURCE)), "NoLostDisk", "the source lost its disk");

    @Test
    void aLostDiskIsAStepThatMayFailOnlyWithQemusTextAndThenAnAssertionThatTheDiskStays() {
        Iotest.Result r = Iotest.of(LOST_DISK, "bitmig-lost", Policies.QEMU_10_0);
        assertThat(r.generated()).as(r.whyNot()).isTrue();
        assertThat(r.invariant()).isEqualTo("NoLostDisk");
        assertThat(r.failure()).isEqualTo("Could not reopen qcow2 layer: Bitmap already exists: a");
        assertThat(r.test()).contains("    def test_nolostdisk(self):\n").contains("""
                        # step 8: Activate[node=SOURCE]
                        # QEMU_10_0: blockdev-set-active fails with 'Could not reopen qcow2 layer: Bitmap already exists: a'
                        self.attempt('source', 'blockdev-set-active', {'node-name': 'drive0', 'active': True}, \
                'Could not reopen qcow2 layer: Bitmap already exists: a')
                        # NoLostDisk breaks here on QEMU_10_0: the source QEMU lost its disk\
                """).contains("""
                        self.assert_has_disk('source', 8)


                if __name__ == '__main__':
                """);
    }

    @Test
    void aStepQemu72HasNoCommandForHasNoIotestForQemu72() {
        assertThat(Iotest.of(LOST_DISK, "bitmig-lost").whyNot()).startsWith("step 8 Activate[node=SOURCE] is rejected by the model");
    }

    @Test
    void aTraceOfAnotherInvariantStopsOnTheLostDiskWhereTheModelOfQemuLosesItFirst() {
        Trace t = new Trace(Bounds.DEFAULT, "CANARY_DROP", List.empty(), InitialWorld.BITMAP_LOADED,
                List.of(new Action.MigrateStart(true), new Action.MigrateComplete(), new Action.Quit(NodeId.TARGET),
                        new Action.Cont(NodeId.SOURCE)), "NoSilentLoss", "'a' is gone");
        Iotest.Result r = Iotest.of(t, "bitmig-other");
        assertThat(r.generated()).as(r.whyNot()).isTrue();
        assertThat(r.invariant()).isEqualTo("NoLostDisk");
        assertThat(r.test()).contains("# On QEMU (QEMU_7_2) the sequence breaks NoLostDisk first.")
                .contains("""
                        # step 8: Cont[node=SOURCE]
                        # QEMU_7_2: cont fails with 'Could not reopen qcow2 layer: Bitmap already exists: a'
                        self.attempt('source', 'cont', None, 'Could not reopen qcow2 layer: Bitmap already exists: a')
                        # NoLostDisk breaks here\
                """);
    }

    @Test
    void aSequenceTheModelDoesNotBreakHasNoIotest() {
        assertThat(Iotest.of(TRACE, "bitmig-small").whyNot())
                .isEqualTo("the model (QEMU_7_2) does not break NoUnderReport on this sequence");
    }

    @Test
    void theReproducerCarriesTheTableAndTheModelsPrediction() {
        String py = Reproducer.of(LOSS);
        assertThat(py).startsWith("#!/usr/bin/env python3\n").contains("\"predicted\":[\"NoSilentLoss\"]")
                .contains("\"op\":\"launch\"").contains("def main():").doesNotContain("source> {");
    }
}
