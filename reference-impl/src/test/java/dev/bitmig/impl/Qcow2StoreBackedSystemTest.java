package dev.bitmig.impl;

import dev.bitmig.impl.store.Qcow2ImageStore;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.BitmapRemove;
import dev.bitmig.model.Action.Crash;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Policies;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** The implementation over a real qcow2 image in memory tells the store which node is active, as the memory store. */
class Qcow2StoreBackedSystemTest {
    private static final Geometry SMALL = new Geometry(16);

    /** Removing a bitmap from an inactive node, after a crash left its entry behind. */
    private static final List<Action> REMOVE_WHILE_INACTIVE = Arrays.asList(new BitmapAdd(SOURCE, "a", 1, true, false),
            new Quit(SOURCE), new Launch(SOURCE, false), new Crash(SOURCE), new Launch(SOURCE, false),
            new Stop(SOURCE), new Inactivate(SOURCE), new BitmapRemove(SOURCE, "a"));

    private static ImplSystem run(Set<Fault> faults) {
        ImplSystem impl = new ImplSystem(Policies.QEMU_10_0, SMALL, faults, ImplSystem.Store.QCOW2);
        REMOVE_WHILE_INACTIVE.forEach(impl::apply);
        return impl;
    }

    @Test
    void theQcow2StoreLogsWritesFromActiveNodesOnly() {
        ImplSystem correct = run(Set.of());
        assertThat(correct.image()).isInstanceOf(Qcow2ImageStore.class);
        assertThat(correct.storeLog()).isNotEmpty().noneMatch(w -> w.fromInactiveNode());
    }

    @Test
    void theQcow2StoreFlagsAWriteFromAnInactiveNode() {
        assertThat(run(Set.of(Fault.STORE_WRITES_WHILE_INACTIVE)).storeLog()).anyMatch(w -> w.fromInactiveNode());
    }
}
