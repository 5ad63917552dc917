package dev.bitmig.impl.policy;

import dev.bitmig.check.Abstraction;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.Activate;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.Crash;
import dev.bitmig.model.Action.ForeignWrite;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import dev.bitmig.model.Action.Writer;
import dev.bitmig.model.Node;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.bitmig.impl.policy.PolicyRuns.seq;
import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** The source, activated again, judges the bitmaps it kept in RAM by its own canary. */
class CanaryJudgesTheKeptBitmapsTest {
    /** A user bitmap whose name merely starts like a canary's: it is never judged. */
    private static final String CANARY_LIKE = "bitmig-canary-x";

    /** Transient "t" and {@value #CANARY_LIKE} record cluster 0; the source inactivates, {@code between}, activates. */
    private static Node sourceAfter(Policy policy, Action... between) {
        List<Action> actions = new ArrayList<>(seq(new BitmapAdd(SOURCE, "t", 1, false, false),
                new BitmapAdd(SOURCE, CANARY_LIKE, 1, false, false), new GuestWrite(SOURCE, 0, 1),
                new Stop(SOURCE), new Inactivate(SOURCE)));
        actions.addAll(List.of(between));
        actions.add(new Activate(SOURCE));
        ImplSystem impl = PolicyRuns.agreeing(policy, actions);
        return Abstraction.of(impl).source();
    }

    @Test
    void theMergeVariantAddsTheDirtyCanaryToTheKeptBitmapButNotToACanaryNamedOne() {
        Node s = sourceAfter(Policies.CANARY_MERGE, new ForeignWrite(Writer.AWARE, 5, 1));
        assertThat(s.bitmap("t").get().granules()).containsExactly(0, 4, 5, 6, 7);
        assertThat(s.bitmap(CANARY_LIKE).get().granules()).containsExactly(0);
    }

    @Test
    void theDropVariantDropsTheKeptBitmapButNotACanaryNamedOne() {
        Node s = sourceAfter(Policies.CANARY_DROP, new ForeignWrite(Writer.AWARE, 5, 1));
        assertThat(s.bitmaps().keySet().toJavaList()).containsExactly(CANARY_LIKE);
    }

    @Test
    void aDirtyPartialLastCanaryGranuleIsMergedUpToTheDiskEnd() {
        // 15 clusters and 4-cluster canary granules: the last canary granule covers clusters 12 to 14 only.
        List<Action> actions = seq(new BitmapAdd(SOURCE, "t", 1, false, false), new Stop(SOURCE),
                new Inactivate(SOURCE), new ForeignWrite(Writer.AWARE, 13, 1), new Activate(SOURCE));
        Node s = Abstraction.of(PolicyRuns.agreeing(Policies.CANARY_MERGE, new dev.bitmig.model.Geometry(15), actions))
                .source();
        assertThat(s.bitmap("t").get().granules()).containsExactly(12, 13, 14);
    }

    @Test
    void aCleanCanaryKeepsTheBitmapsAsTheyWere() {
        Node s = sourceAfter(Policies.CANARY_DROP);
        assertThat(s.bitmap("t").get().granules()).containsExactly(0);
    }

    @Test
    void anUntrustedCanaryMarksEveryConsistentKeptBitmapDirtyButLeavesAnInconsistentOne() {
        // "p" is inconsistent: its entry stayed IN_USE after a crash. The unaware write clears autoclear.
        List<Action> actions = seq(new BitmapAdd(SOURCE, "p", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false), new Crash(SOURCE), new Launch(SOURCE, false),
                new BitmapAdd(SOURCE, "t", 1, false, false), new Stop(SOURCE), new Inactivate(SOURCE),
                new ForeignWrite(Writer.UNAWARE, 5, 1), new Activate(SOURCE));
        Node s = Abstraction.of(PolicyRuns.agreeing(Policies.CANARY_MERGE, actions)).source();
        assertThat(s.bitmap("t").get().granules()).hasSize(PolicyRuns.SMALL.clusters());
        assertThat(s.bitmap("p").get().inconsistent()).isTrue();
        assertThat(s.bitmap("p").get().granules()).isEmpty();
    }
}
