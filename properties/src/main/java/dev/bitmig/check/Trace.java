package dev.bitmig.check;

import dev.bitmig.model.Action;
import io.vavr.collection.List;

/**
 * A saved counterexample: the configuration, the policy, the seeded faults (if any), the initial world, the actions
 * and the invariant they break (or "Refinement" when the implementation disagrees with the model). A plain scenario
 * claims nothing: its invariant is {@link #NO_CLAIM} (the field is absent from the file), and replaying it only shows
 * what happens.
 */
public record Trace(Bounds configuration, String policy, List<String> faults, InitialWorld initial,
                    List<Action> actions, String invariant, String message) {

    public static final String REFINEMENT = "Refinement";

    /** The invariant of a plain scenario, which claims no violation. */
    public static final String NO_CLAIM = "";

    public boolean claims() {
        return !NO_CLAIM.equals(invariant);
    }

    /**
     * What a run on real QEMU performs: the steps that reach the initial world from a running source on a fresh image
     * ({@link InitialWorld#fromRunningSource}), then the trace's own actions.
     */
    public java.util.List<Action> fromRunningSource() {
        return initial.fromRunningSource(configuration).appendAll(actions).toJavaList();
    }
}
