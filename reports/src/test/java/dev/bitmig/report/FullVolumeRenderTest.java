package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.Capabilities;
import dev.bitmig.model.NodeId;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full volume needs a blkdebug node under drive0 in every QEMU: the Python reproducer and the qemu-iotests test of a
 * counterexample with a VolumeFull step set it up as the live runner does (CapabilityReproducersOnQemuTest and
 * GeneratedIotestsTest run them).
 */
class FullVolumeRenderTest {
    /** A source with a loaded bitmap quits on a full volume: QEMU says "Lost persistent bitmaps ...". */
    static final Trace LOST_DISK = new Trace(Bounds.DEFAULT.withCapabilities(Capabilities.STORE_FAILURES), "QEMU_7_2",
            List.empty(), InitialWorld.BITMAP_LOADED,
            List.of(new Action.GuestWrite(NodeId.SOURCE, 1, 1), new Action.VolumeFull(true), new Action.Quit(NodeId.SOURCE)),
            "NoSilentLoss", "the bitmap is gone");

    /** The incoming target alone on a volume that fills: 7.2's cont activates it, the IN_USE update fails (NoLostDisk). */
    static final Trace FULL_AT_CONT = new Trace(Bounds.DEFAULT.withCapabilities(Capabilities.STORE_FAILURES), "QEMU_7_2",
            List.empty(), InitialWorld.BITMAP_LOADED,
            List.of(new Action.Quit(NodeId.SOURCE), new Action.VolumeFull(true), new Action.Cont(NodeId.TARGET)),
            "NoLostDisk", "the target loses its disk");

    @Test
    void theIotestOfAFullVolumeLaunchesThroughTheLayerAndSwitchesItWithAVmstateRead() {
        Iotest.Result r = Iotest.of(FULL_AT_CONT, "bitmig-full-volume");
        assertThat(r.whyNot()).isEmpty();
        assertThat(r.test()).contains("layer=" + IotestLines.py(dev.bitmig.qemu.NoSpaceLayer.blockdev(false, false)))
                .contains("self.hmp_qemu_io('target', 'drive0', 'flush')")
                .contains("self.hmp_qemu_io('target', 'drive0', 'read -b 0 512')")
                .doesNotContain("self.hmp_qemu_io('source', 'drive0', 'read -b 0 512')");
        assertThat(r.invariant()).isEqualTo("NoLostDisk");
    }

    @Test
    void theIotestOfAHandoverOnAFullVolumeIsNotWrittenAndSaysWhy() {
        Trace t = new Trace(Bounds.DEFAULT.withCapabilities(Capabilities.STORE_FAILURES), "QEMU_7_2", List.empty(),
                InitialWorld.BITMAP_LOADED, List.of(new Action.MigrateStart(true), new Action.VolumeFull(true),
                new Action.Inactivate(NodeId.SOURCE), new Action.Quit(NodeId.SOURCE)), "NoSilentLoss", "m");
        assertThat(Iotest.of(t, "bitmig-full-handover").whyNot())
                .isEqualTo("a handover on a full volume (the source's store may fail it) is not written");
    }

    @Test
    void theReproducerOfAFullVolumeOpensTheImageThroughTheBlkdebugLayer() throws Exception {
        com.fasterxml.jackson.databind.JsonNode data = data(Reproducer.of(LOST_DISK));
        assertThat(data.path("noSpace").path("node").asText()).isEqualTo(dev.bitmig.qemu.NoSpaceLayer.NODE);
        assertThat(data.path("noSpace").path("full").path("rw").asText())
                .isEqualTo(dev.bitmig.qemu.NoSpaceLayer.blockdev(true, false));
        assertThat(data.path("noSpace").path("space").path("ro").asText())
                .isEqualTo(dev.bitmig.qemu.NoSpaceLayer.blockdev(false, true));
    }

    @Test
    void aReproducerWithoutStoreFailuresOpensTheImageWithoutTheLayer() throws Exception {
        Trace plain = new Trace(Bounds.DEFAULT, "QEMU_7_2", List.empty(), InitialWorld.BITMAP_LOADED,
                List.of(new Action.Quit(NodeId.SOURCE)), "NoSilentLoss", "the bitmap is gone");
        assertThat(data(Reproducer.of(plain)).path("noSpace").isNull()).isTrue();
    }

    /** The DATA the script carries. */
    private static com.fasterxml.jackson.databind.JsonNode data(String script) throws Exception {
        int from = script.indexOf("DATA = json.loads(r'''") + "DATA = json.loads(r'''".length();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(script.substring(from,
                script.indexOf("''')", from)));
    }
}
