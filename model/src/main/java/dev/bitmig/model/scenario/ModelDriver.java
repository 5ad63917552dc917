package dev.bitmig.model.scenario;

import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;

/** Drives the model: the world after each accepted action. */
public final class ModelDriver implements Driver {
    private final Spec spec;
    private World world;

    public ModelDriver(Spec spec, World initial) {
        this.spec = spec;
        this.world = initial;
    }

    @Override
    public Outcome step(Action action) {
        Outcome o = spec.apply(world, action);
        if (o instanceof Outcome.Next next) {
            world = next.world();
        }
        return o;
    }

    @Override
    public World world() {
        return world;
    }
}
