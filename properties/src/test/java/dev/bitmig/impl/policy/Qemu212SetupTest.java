package dev.bitmig.impl.policy;

import dev.bitmig.check.ImplDriver;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Qemu212Policy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** QEMU 2.12's setup (init_dirty_bitmap_migration): migrated bitmaps become busy and lose their persistent flag. */
class Qemu212SetupTest {

    @Test
    void setupRecordsExactlyTheBitmapsItDepersistsAndSkipsNamesTheSourceLacks() {
        ImplSystem host = new ImplSystem(Policies.QEMU_2_12, PolicyRuns.SMALL, Set.of());
        ImplDriver.step(host, new BitmapAdd(SOURCE, "p", 1, true, false));
        ImplDriver.step(host, new BitmapAdd(SOURCE, "t", 1, false, false));
        Qemu212 policy = new Qemu212();
        policy.restore(new Qemu212Policy.Depersisted(io.vavr.collection.TreeSet.of("left-over")));
        policy.onMigrationStart(host, new TreeSet<>(List.of("p", "t", "gone")));
        assertThat(policy.state()).isEqualTo(new Qemu212Policy.Depersisted(io.vavr.collection.TreeSet.of("p")));
        DirtyBitmap p = host.node(SOURCE).bitmap("p");
        DirtyBitmap t = host.node(SOURCE).bitmap("t");
        assertThat(p.persistent()).isFalse();
        assertThat(p.busy()).isTrue();
        assertThat(t.busy()).isTrue();
    }
}
