package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.World;
import io.vavr.control.Option;

/**
 * The per-transition refinement check: from any model world, the implementation given the same action must agree
 * with the model, i.e. abstraction(impl.apply(concretize(world), action)) equals model.apply(world, action). Returns
 * the disagreement in words, or none. Must be safe to call from several threads.
 */
@FunctionalInterface
public interface Refinement {
    Option<String> check(World world, Action action, Outcome modelOutcome);

    /**
     * The same check, given the path that reached the world from an initial world. A refinement that carries the
     * implementation's own state along the path (rather than concretizing the model world) overrides this.
     */
    default Option<String> checkAlong(World initial, io.vavr.collection.List<Action> path, World world, Action action,
                                      Outcome modelOutcome) {
        return check(world, action, modelOutcome);
    }

    Refinement NONE = (w, a, o) -> Option.none();
}
