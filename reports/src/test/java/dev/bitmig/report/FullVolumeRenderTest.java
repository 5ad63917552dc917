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
 * A full volume needs a blkdebug node under drive0 in every QEMU, which only the live runner sets up: the qemu-iotests
 * test and the Python reproducer of a counterexample with a VolumeFull step say so instead of running without it.
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
    void theReproducerOfAFullVolumeStopsAtTheStepAsNotMappable() {
        String script = Reproducer.of(LOST_DISK);
        assertThat(script).contains("def VolumeFull(self, a, ops):")
                .contains("a full volume needs the blkdebug layer that only bitmig live --store-failures sets up");
    }
}
