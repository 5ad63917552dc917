package dev.bitmig.bench;

import dev.bitmig.check.Concretization;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.check.Refinement;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policy;
import io.vavr.control.Option;
import java.util.Set;

/** The per-transition refinement check the checker benchmarks time. */
public final class Refinements {
    private Refinements() {
    }

    /**
     * Concretizes the model world into a fresh {@link ImplSystem}, steps it, and compares the outcome's kind, the
     * rejection text, and the abstraction with the model's observable world.
     */
    public static Refinement impl(Policy policy, Geometry geometry) {
        return (w, a, modelOutcome) -> {
            ImplSystem s = Concretization.of(policy, geometry, w, Set.of());
            Outcome o = ImplDriver.step(s, a);
            return disagreement(a.toString(), modelOutcome, o);
        };
    }

    /** The comparison shared with the lockstep chain: none when the implementation agrees. */
    static Option<String> disagreement(String action, Outcome model, Outcome impl) {
        if (!model.error().equals(impl.error())) {
            return Option.some(action + ": the model replies " + model.error() + " but the implementation " + impl.error());
        }
        if (model.successor().isDefined() != impl.successor().isDefined()) {
            return Option.some(action + ": the model gives " + model + " but the implementation " + impl);
        }
        // ImplDriver.step answers with Abstraction.of(impl): its world is the implementation's abstraction.
        return model.successor().isEmpty() || impl.successor().get().equals(model.successor().get().observable())
                ? Option.none() : Option.some(action + ": the abstraction differs from the model's observable world");
    }
}
