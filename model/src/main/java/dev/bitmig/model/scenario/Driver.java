package dev.bitmig.model.scenario;

import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.World;

/** Anything that executes model actions one at a time: the model itself, or an implementation. */
public interface Driver {

    /** Execute one action; the outcome is the same kind the model gives. */
    Outcome step(Action action);

    /** The current state as a model world (for an implementation: its abstraction, without ghost truth). */
    World world();
}
