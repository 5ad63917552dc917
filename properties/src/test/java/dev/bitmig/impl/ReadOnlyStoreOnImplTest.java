package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** qcow2_store_persistent_dirty_bitmaps on a read-only node: "No write access", as the model says, under every policy. */
class ReadOnlyStoreOnImplTest {
    private static final Geometry G = new Geometry(4);

    @Test
    void aReadOnlyQemuCannotStoreAPersistentBitmapItAdded() {
        for (Policy p : Policies.ALL) {
            List<Action> before = new java.util.ArrayList<>(List.of(new Quit(SOURCE), new Launch(SOURCE, false, true),
                    new BitmapAdd(SOURCE, "n", 1, true, false)));
            // Before QEMU 10.0 only a migration's handover inactivates: one without bitmaps gets there.
            before.addAll(p.release().hasBlockdevSetActive() ? List.of(new Stop(SOURCE))
                    : List.of(new Launch(dev.bitmig.model.NodeId.TARGET, true), new dev.bitmig.model.Action.MigrateStart(false)));
            Lockstep l = new Lockstep(p, G, Set.of());
            assertThat(l.run(before)).as(p.name()).isNull();
            String lost = "Lost persistent bitmaps during inactivation of node 'drive0': No write access";
            if (p.release().hasBlockdevSetActive()) {
                assertThat(ImplDriver.step(l.impl, new Inactivate(SOURCE))).as(p.name())
                        .isEqualTo(Outcome.rejected(dev.bitmig.model.QemuErrors.INACTIVATE_FAILED));
            } else {
                // The handover's failed store fails the migration (migration/savevm.c "bdrv_inactivate_all() failed").
                assertThat(l.run(List.of(new Inactivate(SOURCE)))).as(p.name()).isNull();
                assertThat(Abstraction.of(l.impl).migration().error().toJavaOptional()).as(p.name()).contains(lost);
            }
            assertThat(l.run(List.of(new Quit(SOURCE)))).as(p.name()).isNull();
            assertThat(Abstraction.of(l.impl).image().directory().containsKey("n")).as(p.name()).isFalse();
        }
    }
}
