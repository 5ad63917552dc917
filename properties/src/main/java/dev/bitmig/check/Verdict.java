package dev.bitmig.check;

import dev.bitmig.model.Action;
import io.vavr.collection.List;

/** What a run found for one invariant: it holds within the bounds, or here is the shortest counterexample. */
public sealed interface Verdict {

    record Holds(long states, int depth) implements Verdict { }

    /**
     * @param actions the shortest action sequence, from the initial world {@code initial}, that breaks the invariant
     * @param message the violation in words, after the last action
     */
    record Violated(int initial, List<Action> actions, String message) implements Verdict { }

    default boolean holds() {
        return this instanceof Holds;
    }
}
