package dev.bitmig.impl.policy;

import dev.bitmig.check.Abstraction;
import dev.bitmig.impl.Fault;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.Activate;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.Crash;
import dev.bitmig.model.Action.ForeignWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateComplete;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import dev.bitmig.model.Action.Writer;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.CanaryPolicy;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.bitmig.impl.policy.PolicyRuns.last;
import static dev.bitmig.impl.policy.PolicyRuns.outcomes;
import static dev.bitmig.impl.policy.PolicyRuns.seq;
import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The canary policies' activation checks: which RAM bitmaps can still clash with the image's entries (R3, "Bitmap
 * already exists") once the canary's judgement has removed the ones that will be dropped or superseded.
 */
class CanaryActivationChecksTest {
    private static final Set<Fault> H2 = Set.of(Fault.H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP);

    /** The reopen fails on the name clash, and the node is left without its medium (D4). */
    private static void assertClashEjects(Outcome o, String name) {
        assertThat(o).isInstanceOf(Outcome.Failed.class);
        assertThat(o.error().get()).isEqualTo(QemuErrors.couldNotReopen(QemuErrors.alreadyExists(name)));
        assertThat(o.successor().get().source().block()).isEqualTo(BlockState.EJECTED);
    }

    @Test
    void aReadOnlyNodeWritesNoCanaryAndItsLaterActivationChecksAsUpstream() {
        // The read-only node stores nothing and is not armed; a bitmap added while inactive then clashes with the entry.
        List<Action> inactivated = seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false, true), new Stop(SOURCE), new Inactivate(SOURCE));
        for (Policy policy : List.of(Policies.CANARY_DROP, Policies.CANARY_MERGE)) {
            ImplSystem impl = PolicyRuns.agreeing(policy, inactivated);
            assertThat(Abstraction.of(impl).image().directory().keySet().toJavaList()).containsExactly("a");
            assertThat(dev.bitmig.model.CanaryPolicy.armed(Abstraction.of(impl), SOURCE)).isFalse();
            List<Action> actions = new ArrayList<>(inactivated);
            actions.add(new BitmapAdd(SOURCE, "a", 1, false, false));
            actions.add(new Activate(SOURCE));
            PolicyRuns.agreeing(policy, actions);
            assertClashEjects(last(outcomes(PolicyRuns.withFaults(policy, Set.of()), actions)), "a");
        }
    }

    @Test
    void aBitmapNamedLikeAnotherCanaryGivesWayToTheEntryTheTargetStored() {
        // The source keeps the canary-like bitmap (it never rides); the target stores its own of the same name, which
        // is newer: only the node's own canary is exempt from that rule, so the image's copy is loaded.
        List<Action> actions = seq(new BitmapAdd(SOURCE, "bitmig-canary-x", 1, false, false), new Launch(TARGET, true),
                new MigrateStart(true), new MigrateComplete(), new BitmapAdd(TARGET, "bitmig-canary-x", 1, true, false),
                new Quit(TARGET), new Activate(SOURCE));
        for (Policy policy : List.of(Policies.CANARY_DROP, Policies.CANARY_MERGE)) {
            ImplSystem impl = PolicyRuns.agreeing(policy, actions);
            assertThat(Abstraction.of(impl).source().block()).as(policy.name()).isEqualTo(BlockState.ACTIVE);
            assertThat(Abstraction.of(impl).source().bitmap("bitmig-canary-x").get().persistent())
                    .as("%s: the copy loaded from the image replaced the transient one", policy.name()).isTrue();
        }
    }

    @Test
    void theDropVariantLoadsTheNewerCanaryLikeEntryWhenTheCanaryIsDirty() {
        // The dirty canary makes the drop variant discard the kept bitmap t; the canary-like one gives way to the entry.
        List<Action> actions = seq(new BitmapAdd(SOURCE, "bitmig-canary-x", 1, false, false),
                new BitmapAdd(SOURCE, "t", 1, false, false), new Launch(TARGET, true), new MigrateStart(true),
                new MigrateComplete(), new BitmapAdd(TARGET, "bitmig-canary-x", 1, true, false), new Quit(TARGET),
                new ForeignWrite(Writer.AWARE, 5, 1), new Activate(SOURCE));
        ImplSystem impl = PolicyRuns.agreeing(Policies.CANARY_DROP, actions);
        assertThat(Abstraction.of(impl).source().bitmaps().keySet()).containsExactly("bitmig-canary-x");
        assertThat(Abstraction.of(impl).source().bitmap("bitmig-canary-x").get().granules()).containsExactly(5);
    }

    @Test
    void theNodesOwnCanaryEntryNeverClashesBecauseActivationRemovesItFirst() {
        String own = CanaryPolicy.nameFor(SOURCE);
        List<Action> actions = seq(new BitmapAdd(SOURCE, "t", 1, false, false), new Stop(SOURCE),
                new Inactivate(SOURCE), new BitmapAdd(SOURCE, own, 1, false, false), new Activate(SOURCE));
        ImplSystem impl = PolicyRuns.agreeing(Policies.CANARY_DROP, actions);
        assertThat(Abstraction.of(impl).source().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(Abstraction.of(impl).image().directory().containsKey(own)).isFalse();
    }

    /** "a" is loaded from the image (its entry is IN_USE) and rides; {@code between} happens after the handover. */
    private static List<Action> inUseEntryRides(Action... between) {
        List<Action> out = new ArrayList<>(seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false), new Launch(TARGET, true), new MigrateStart(true), new Inactivate(SOURCE)));
        out.addAll(List.of(between));
        out.add(new MigrateComplete());
        return out;
    }

    @Test
    void withH2TheDropVariantsTargetActivatesWhenTheDirtyCanaryDropsTheClashingBitmap() {
        // H2 makes the IN_USE entry "a" clash with the migrated "a"; a dirty canary drops "a" first, so no clash.
        ImplSystem dirty = PolicyRuns.withFaults(Policies.CANARY_DROP, H2);
        outcomes(dirty, inUseEntryRides(new ForeignWrite(Writer.AWARE, 5, 1)));
        assertThat(Abstraction.of(dirty).target().run()).isEqualTo(RunState.RUNNING);
        // The migrated "a" was dropped; the load then finds the IN_USE entry "a" and loads it inconsistent.
        assertThat(Abstraction.of(dirty).target().bitmap("a").get().inconsistent()).isTrue();

        ImplSystem clean = PolicyRuns.withFaults(Policies.CANARY_DROP, H2);
        outcomes(clean, inUseEntryRides());
        assertThat(Abstraction.of(clean).target().run()).isEqualTo(RunState.PAUSED);
        // The clash fails the target's reopen and leaves it without its medium (D4).
        assertThat(Abstraction.of(clean).target().block()).isEqualTo(BlockState.EJECTED);

        PolicyRuns.agreeing(Policies.CANARY_DROP, inUseEntryRides(new ForeignWrite(Writer.AWARE, 5, 1)));
        PolicyRuns.agreeing(Policies.CANARY_DROP, inUseEntryRides());
    }

    @Test
    void withH2TheDropVariantsSourceActivatesWhenTheDirtyCanaryDropsTheInconsistentBitmap() {
        // "p" is inconsistent (IN_USE entry after a crash) and kept in RAM; H2 makes it clash unless it is dropped.
        List<Action> prefix = seq(new BitmapAdd(SOURCE, "p", 1, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false), new Crash(SOURCE), new Launch(SOURCE, false), new Stop(SOURCE),
                new Inactivate(SOURCE));
        List<Action> dirty = new ArrayList<>(prefix);
        dirty.add(new ForeignWrite(Writer.AWARE, 5, 1));
        dirty.add(new Activate(SOURCE));
        assertThat(last(outcomes(PolicyRuns.withFaults(Policies.CANARY_DROP, H2), dirty)).isRejected()).isFalse();

        List<Action> clean = new ArrayList<>(prefix);
        clean.add(new Activate(SOURCE));
        assertClashEjects(last(outcomes(PolicyRuns.withFaults(Policies.CANARY_DROP, H2), clean)), "p");

        PolicyRuns.agreeing(Policies.CANARY_DROP, dirty);
        PolicyRuns.agreeing(Policies.CANARY_DROP, clean);
    }
}
