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
 * A full volume needs a blkdebug node under drive0 in every QEMU: the Python reproducer of a counterexample with a
 * VolumeFull step sets it up as the live runner does (CapabilityReproducersOnQemuTest runs them), the qemu-iotests test
 * says that it does not instead of running without it.
 */
class FullVolumeRenderTest {
    /** A source with a loaded bitmap quits on a full volume: QEMU says "Lost persistent bitmaps ...". */
    static final Trace LOST_DISK = new Trace(Bounds.DEFAULT.withCapabilities(Capabilities.STORE_FAILURES), "QEMU_7_2",
            List.empty(), InitialWorld.BITMAP_LOADED,
            List.of(new Action.GuestWrite(NodeId.SOURCE, 1, 1), new Action.VolumeFull(true), new Action.Quit(NodeId.SOURCE)),
            "NoSilentLoss", "the bitmap is gone");

    @Test
    void theIotestOfAFullVolumeIsNotWrittenAndSaysWhy() {
        Iotest.Result r = Iotest.of(LOST_DISK, "bitmig-full-volume");
        assertThat(r.generated()).isFalse();
        assertThat(r.whyNot()).isEqualTo("a full volume needs the blkdebug layer that only the live runner sets up");
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
