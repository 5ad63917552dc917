package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.Concretization;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Random action sequences on the implementation and on the model, under every policy. */
class ImplMatchesModelProperties {
    private static final Geometry GEOMETRY = new Geometry(ModelActions.CLUSTERS);

    @Provide
    Arbitrary<List<Action>> sequences() {
        return ModelActions.sequences();
    }

    @Provide
    Arbitrary<Policy> policies() {
        return ModelActions.policies();
    }

    @Property(tries = 600)
    void randomSequencesGiveTheSameOutcomesAndAbstractionsAsTheModel(@ForAll("policies") Policy policy,
                                                                      @ForAll("sequences") List<Action> actions) {
        Lockstep run = new Lockstep(policy, GEOMETRY, Set.of());
        assertThat(run.run(actions)).isNull();
        Statistics.label("bitmap stream").collect(run.impl.wireBytes() > 16 ? "bits sent" : "no bits");
        Statistics.label("migration").collect(run.world.migration().phase());
    }

    @Property(tries = 300)
    void concretizeThenAbstractGivesTheObservableWorldBack(@ForAll("policies") Policy policy,
                                                           @ForAll("sequences") List<Action> actions) {
        Spec spec = new Spec(policy, GEOMETRY);
        World w = World.initial(GEOMETRY);
        assertThat(Abstraction.of(Concretization.of(policy, GEOMETRY, w, Set.of()))).isEqualTo(w.observable());
        for (Action a : actions) {
            w = spec.apply(w, a).successor().getOrElse(w);
            assertThat(Abstraction.of(Concretization.of(policy, GEOMETRY, w, Set.of())))
                    .as("after " + a).isEqualTo(w.observable());
        }
    }

    @Property(tries = 300)
    void aSingleTransitionFromAConcretizedWorldMatchesTheModelsStep(@ForAll("policies") Policy policy,
                                                                    @ForAll("sequences") List<Action> prefix,
                                                                    @ForAll("actions") Action last) {
        Spec spec = new Spec(policy, GEOMETRY);
        World w = World.initial(GEOMETRY);
        for (Action a : prefix) {
            w = spec.apply(w, a).successor().getOrElse(w);
        }
        ImplSystem impl = Concretization.of(policy, GEOMETRY, w, Set.of());
        Outcome expected = spec.apply(w, last);
        Outcome actual = ImplDriver.step(impl, last);
        if (expected.successor().isDefined()) {
            assertThat(actual).as(last.toString()).isEqualTo(expected.observable());
        } else {
            assertThat(actual).as(last.toString()).isEqualTo(expected);
            assertThat(Abstraction.of(impl)).as("a rejected action changes nothing").isEqualTo(w.observable());
        }
    }

    @Provide
    Arbitrary<Action> actions() {
        return ModelActions.action();
    }

    @Property(tries = 300)
    void noQemuNodeWritesTheImageWhileItIsInactive(@ForAll("policies") Policy policy,
                                                    @ForAll("sequences") List<Action> actions) {
        ImplSystem impl = new ImplSystem(policy, GEOMETRY, Set.of());
        for (Action a : actions) {
            ImplDriver.step(impl, a);
        }
        assertThat(impl.storeLog()).noneMatch(w -> w.fromInactiveNode());
    }
}
