package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Capabilities;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The explorer with a volume that fills up and is freed again in its bounds. */
class StoreFailuresExplorerTest {
    private static final Bounds FULL = new Bounds(2, List.of(1, 2), List.of("a", "b"), 5, 1, false, false, 1)
            .withCapabilities(Capabilities.STORE_FAILURES);

    @Test
    void everyExploredStepOnAFullVolumeOfEveryPolicyRefinesTheModel() {
        EveryPolicyRefines.within(FULL);
    }

    @Test
    void theDefaultBoundsNeverFillTheVolume() {
        assertThat(Bounds.DEFAULT.actions().map(Action::kind)).doesNotContain("VolumeFull");
        assertThat(FULL.actions()).contains(new Action.VolumeFull(true), new Action.VolumeFull(false));
    }

    /**
     * A store that fails on a full volume is told (QEMU prints "Lost persistent bitmaps ..."), and a failed handover
     * keeps the bitmaps on the source: without migration, a full volume makes no bitmap vanish silently.
     */
    @Test
    void withoutMigrationAFullVolumeNeverLosesABitmapSilently() {
        Bounds local = FULL.withDepth(6).withWithout(List.of("MigrateStart", "MigrateComplete", "MigrateCancel",
                "MigrateFail"));
        for (Policy p : List.of(Policies.QEMU_7_2, Policies.QEMU_10_0)) {
            ExplorationResult r = Runs.of(p, local, 2, true);
            assertThat(r.verdicts().get(Invariant.NO_SILENT_LOSS).get()).as(p.name()).isInstanceOf(Verdict.Holds.class);
        }
    }
}
