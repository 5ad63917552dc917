package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;

import java.util.List;
import java.util.Set;

/** Runs the model and the implementation side by side and reports the first step where they differ. */
public final class Lockstep {
    public final Spec spec;
    public final ImplSystem impl;
    public World world;

    public Lockstep(Policy policy, Geometry geometry, Set<Fault> faults) {
        this.spec = new Spec(policy, geometry);
        this.world = World.initial(geometry);
        this.impl = new ImplSystem(policy, geometry, faults);
    }

    /** Null when the step agrees; otherwise a description of the difference. */
    public String step(Action a) {
        Outcome expected = spec.apply(world, a);
        Outcome actual = ImplDriver.step(impl, a);
        world = expected.successor().getOrElse(world);
        if (expected.isRejected() != actual.isRejected() || expected.successor().isDefined() != actual.successor().isDefined()) {
            return a + ": model " + expected + " but impl " + actual;
        }
        if (!expected.error().equals(actual.error())) {
            return a + ": model replies '" + expected.error() + "' but impl '" + actual.error() + "'";
        }
        World abs = Abstraction.of(impl);
        if (!abs.equals(world.observable())) {
            return a + ": abstraction differs\n model " + world.observable() + "\n impl  " + abs;
        }
        return null;
    }

    /** Null when every step agrees; otherwise the first difference, with its step number. */
    public String run(List<Action> actions) {
        for (int i = 0; i < actions.size(); i++) {
            String d = step(actions.get(i));
            if (d != null) {
                return "step " + (i + 1) + " " + d;
            }
        }
        return null;
    }
}
