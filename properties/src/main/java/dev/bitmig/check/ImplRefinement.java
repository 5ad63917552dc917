package dev.bitmig.check;

import dev.bitmig.impl.Fault;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policy;
import dev.bitmig.model.World;
import io.vavr.control.Option;

import java.util.Set;

/**
 * The refinement check against the optimized implementation: concretize the model world, apply the action there,
 * and compare the outcome and the abstraction with the model's.
 */
public record ImplRefinement(Policy policy, Geometry geometry, Set<Fault> faults) implements Refinement {

    @Override
    public Option<String> check(World world, Action action, Outcome modelOutcome) {
        ImplSystem impl = ImplSystem.concretize(policy, geometry, world, faults);
        Outcome implOutcome;
        try {
            implOutcome = impl.step(action);
        } catch (RuntimeException e) {
            return Option.some("the implementation threw " + e + " on " + action);
        }
        return Agreement.compare(action, modelOutcome, implOutcome, impl.abstraction());
    }
}
