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
        if (model instanceof Outcome.Next n) {
            if (!(impl instanceof Outcome.Next in)) {
                return Option.some(action + ": the model accepts but the implementation rejects: " + impl);
            }
            // ImplDriver.step answers Next(Abstraction.of(impl)): its world is the implementation's abstraction.
            return in.world().equals(n.world().observable()) ? Option.none()
                    : Option.some(action + ": the abstraction differs from the model's observable world");
        }
        if (!(impl instanceof Outcome.Rejected r)) {
            return Option.some(action + ": the model rejects (" + model + ") but the implementation accepts");
        }
        return r.equals(model) ? Option.none()
                : Option.some(action + ": rejection text differs: model " + model + ", implementation " + r);
    }
}
