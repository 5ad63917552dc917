package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.Concretization;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.Crash;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateComplete;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** Implementations built from model worlds: they abstract back to the world and take the model's next step. */
class ConcretizedWorldsTest {
    private static final Policy UPSTREAM = Policies.QEMU_10_0;

    /** The model's world after the actions (rejected ones change nothing). */
    private static World modelAfter(Geometry g, List<Action> actions) {
        Spec spec = new Spec(UPSTREAM, g);
        World w = World.initial(g);
        for (Action a : actions) {
            w = spec.apply(w, a).successor().getOrElse(w);
        }
        return w;
    }

    private static List<Action> seq(Action... actions) {
        return Arrays.asList(actions);
    }

    /** Concretizes the world after {@code prefix}, takes {@code last} and compares with the model's step. */
    private static World stepFromConcretized(Geometry g, List<Action> prefix, Action last) {
        World w = modelAfter(g, prefix);
        ImplSystem impl = Concretization.of(UPSTREAM, g, w, Set.of());
        assertThat(Abstraction.of(impl)).isEqualTo(w.observable());
        Outcome expected = new Spec(UPSTREAM, g).apply(w, last);
        Outcome actual = ImplDriver.step(impl, last);
        assertThat(actual).isEqualTo(expected.observable());
        return Abstraction.of(impl);
    }

    @Test
    void aMigrationStartedInTheModelCompletesWithTheBitsOnTheTarget() {
        World after = stepFromConcretized(new Geometry(16), seq(new BitmapAdd(SOURCE, "a", 1, false, false),
                new GuestWrite(SOURCE, 3, 2), new Launch(TARGET, true), new MigrateStart(true)), new MigrateComplete());
        assertThat(after.target().bitmap("a").get().granules()).containsExactly(3, 4);
    }

    @Test
    void aBitmapWithTheLongestNameTheStreamCarriesRidesAConcretizedMigration() {
        // migration/block-dirty-bitmap.c: a bitmap name is sent with a one-byte length, so at most 255 bytes.
        String longest = "n".repeat(255);
        World after = stepFromConcretized(new Geometry(16), seq(new BitmapAdd(SOURCE, longest, 1, false, false),
                new GuestWrite(SOURCE, 7, 1), new Launch(TARGET, true), new MigrateStart(true)), new MigrateComplete());
        assertThat(after.target().bitmap(longest).get().granules()).containsExactly(7);
    }

    @Test
    void readonlyAndInconsistentBitmapsAndAPartialLastGranuleSurviveConcretization() {
        // 15 clusters at a granularity of 2: the last granule (7) covers cluster 14 only.
        Geometry odd = new Geometry(15);
        World readonly = modelAfter(odd, seq(new BitmapAdd(SOURCE, "a", 2, true, false), new GuestWrite(SOURCE, 0, 1),
                new GuestWrite(SOURCE, 14, 1), new Quit(SOURCE), new Launch(SOURCE, false, true)));
        assertThat(readonly.source().bitmap("a").get().readonly()).isTrue();
        assertThat(readonly.source().bitmap("a").get().granules()).containsExactly(0, 7);
        assertThat(Abstraction.of(Concretization.of(UPSTREAM, odd, readonly, Set.of())))
                .isEqualTo(readonly.observable());

        World inconsistent = modelAfter(odd, seq(new BitmapAdd(SOURCE, "a", 2, true, false), new Quit(SOURCE),
                new Launch(SOURCE, false), new Crash(SOURCE), new Launch(SOURCE, false)));
        assertThat(inconsistent.source().bitmap("a").get().inconsistent()).isTrue();
        assertThat(Abstraction.of(Concretization.of(UPSTREAM, odd, inconsistent, Set.of())))
                .isEqualTo(inconsistent.observable());
    }

    @Test
    void theImplementationReportsItsPolicyGeometryAndWorld() {
        Geometry g = new Geometry(16);
        ImplSystem impl = new ImplSystem(Policies.CANARY_MERGE, g, Set.of());
        ImplDriver.step(impl, new GuestWrite(SOURCE, 1, 1));
        assertThat(impl.policy()).isEqualTo(Policies.CANARY_MERGE);
        assertThat(impl.geometry()).isEqualTo(g);
        assertThat(new ImplDriver(impl).world()).isEqualTo(Abstraction.of(impl));
        assertThat(new ImplDriver(impl).world().image().lastWrite().get(1)).isPositive();
    }
}
