package dev.bitmig.check;

import dev.bitmig.model.Action;
import io.vavr.collection.List;

/**
 * A saved counterexample: the configuration, the policy, the seeded faults (if any), the initial world, the actions
 * and the invariant they break (or "Refinement" when the implementation disagrees with the model).
 */
public record Trace(Bounds configuration, String policy, List<String> faults, InitialWorld initial,
                    List<Action> actions, String invariant, String message) {

    public static final String REFINEMENT = "Refinement";
}
