package dev.bitmig.impl.policy;

import dev.bitmig.check.ImplDriver;
import dev.bitmig.impl.Fault;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.impl.Lockstep;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Short action sequences for the policy tests: run on the implementation, or side by side with the model. */
final class PolicyRuns {
    static final Geometry SMALL = new Geometry(16);

    private PolicyRuns() {
    }

    static List<Action> seq(Action... actions) {
        return Arrays.asList(actions);
    }

    /** The implementation after the actions, having checked at every step that it agrees with the model. */
    static ImplSystem agreeing(Policy policy, List<Action> actions) {
        return agreeing(policy, SMALL, actions);
    }

    static ImplSystem agreeing(Policy policy, Geometry geometry, List<Action> actions) {
        Lockstep run = new Lockstep(policy, geometry, Set.of());
        assertThat(run.run(actions)).as("implementation against the model").isNull();
        return run.impl;
    }

    /** The outcome of every action, on the implementation with the given seeded faults. */
    static List<Outcome> outcomes(ImplSystem impl, List<Action> actions) {
        List<Outcome> out = new ArrayList<>();
        for (Action a : actions) {
            out.add(ImplDriver.step(impl, a));
        }
        return out;
    }

    static ImplSystem withFaults(Policy policy, Set<Fault> faults) {
        return new ImplSystem(policy, SMALL, faults);
    }

    static Outcome last(List<Outcome> outcomes) {
        return outcomes.get(outcomes.size() - 1);
    }
}
