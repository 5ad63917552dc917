package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Capabilities;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The explorer with qemu-img's offline edits in its bounds (qemu-img bitmap, qemu-img check -r all). */
class OfflineToolsExplorerTest {
    private static final Bounds OFFLINE = new Bounds(2, List.of(1, 2), List.of("a", "b"), 5, 1, false, false, 1)
            .withCapabilities(Capabilities.OFFLINE_TOOLS);

    @Test
    void everyExploredOfflineEditOfEveryPolicyRefinesTheModel() {
        EveryPolicyRefines.within(OFFLINE);
    }

    @Test
    void theDefaultBoundsTryNoQemuImg() {
        assertThat(Bounds.DEFAULT.actions().map(Action::kind)).doesNotContain("ImgBitmap", "ImgCheck", "ImgConvert");
        assertThat(OFFLINE.actions().map(Action::kind)).contains("ImgBitmap", "ImgCheck", "ImgConvert");
    }

    /** Without migration, an offline edit loses no write: the lock keeps qemu-img off an image a QEMU holds. */
    @Test
    void withoutMigrationAnOfflineEditNeverMakesABitmapUnderReport() {
        Bounds offlineOnly = OFFLINE.withDepth(6).withWithout(List.of("MigrateStart", "MigrateComplete",
                "MigrateCancel", "MigrateFail", "Inactivate", "Activate"));
        for (Policy p : List.of(Policies.QEMU_7_2, Policies.QEMU_10_0)) {
            ExplorationResult r = Runs.of(p, offlineOnly, 2, true);
            assertThat(r.verdicts().get(Invariant.NO_UNDER_REPORT).get()).as(p.name()).isInstanceOf(Verdict.Holds.class);
        }
    }

    /**
     * The shape behind every class the capability adds: after the handover neither QEMU holds the image, qemu-img
     * adds a bitmap of a migrating bitmap's name, and the target's activation at completion fails on the name
     * ("Could not reopen qcow2 layer: Bitmap already exists: a"), leaving it without its disk.
     */
    @Test
    void anOfflineAddOfAMigratingBitmapsNameAfterHandoverMakesTheTargetLoseItsDisk() {
        Spec spec = new Spec(Policies.QEMU_7_2, OFFLINE.geometry());
        World w = World.initialWithIncomingTarget(OFFLINE.geometry());
        for (Action a : List.of(new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, false), new Action.MigrateStart(true),
                new Action.Inactivate(NodeId.SOURCE), Action.ImgBitmap.add("a", 1, false), new Action.MigrateComplete())) {
            Outcome o = spec.apply(w, a);
            assertThat(o).as("%s", a).isInstanceOf(Outcome.Next.class);
            w = o.successor().get();
        }
        assertThat(Invariant.NO_LOST_DISK.holds(w, OFFLINE.geometry())).isFalse();
        assertThat(w.target().block()).isEqualTo(dev.bitmig.model.BlockState.EJECTED);
    }
}
