package dev.bitmig.impl.policy;

import dev.bitmig.check.Abstraction;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.ForeignWrite;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateComplete;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Action.Writer;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.bitmig.impl.policy.PolicyRuns.seq;
import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The target judges the migrated bitmaps by the canary the source wrote at handover. The source hands over early
 * (it inactivates before the completion), and a tool writes the image before the target activates.
 */
class CanaryJudgesTheIncomingBitmapsTest {

    /** "a" records cluster 0 on the source and rides the migration; {@code between} happens after the handover. */
    private static List<Action> handoverThen(Action... between) {
        List<Action> out = new ArrayList<>(seq(new BitmapAdd(SOURCE, "a", 1, true, false), new GuestWrite(SOURCE, 0, 1),
                new Launch(TARGET, true), new MigrateStart(true), new Inactivate(SOURCE)));
        out.addAll(List.of(between));
        out.add(new MigrateComplete());
        return out;
    }

    private static io.vavr.control.Option<Bitmap> targetsA(Policy policy, Action... between) {
        ImplSystem impl = PolicyRuns.agreeing(policy, handoverThen(between));
        return Abstraction.of(impl).target().bitmap("a");
    }

    @Test
    void aCleanCanaryLetsTheMigratedBitsThrough() {
        assertThat(targetsA(Policies.CANARY_DROP).get().granules()).containsExactly(0);
        assertThat(targetsA(Policies.CANARY_MERGE).get().granules()).containsExactly(0);
    }

    @Test
    void theDropVariantDropsTheMigratedBitmapWhenTheCanaryIsDirty() {
        assertThat(targetsA(Policies.CANARY_DROP, new ForeignWrite(Writer.AWARE, 5, 1)).isEmpty()).isTrue();
    }

    @Test
    void theMergeVariantAddsTheCanarysCoarseGranulesToTheMigratedBitmap() {
        // The canary has 4-cluster granules: the write to cluster 5 dirties clusters 4 to 7.
        assertThat(targetsA(Policies.CANARY_MERGE, new ForeignWrite(Writer.AWARE, 5, 1)).get().granules())
                .containsExactly(0, 4, 5, 6, 7);
    }

    @Test
    void anUntrustedCanaryMarksTheMigratedBitmapEntirelyDirtyOrDropsIt() {
        // An unaware tool clears the autoclear bit: the canary cannot be trusted.
        assertThat(targetsA(Policies.CANARY_MERGE, new ForeignWrite(Writer.UNAWARE, 5, 1)).get().granules())
                .hasSize(PolicyRuns.SMALL.clusters());
        assertThat(targetsA(Policies.CANARY_DROP, new ForeignWrite(Writer.UNAWARE, 5, 1)).isEmpty()).isTrue();
    }
}
