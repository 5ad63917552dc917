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
 * and compare the outcome and the abstraction with the model's. With {@code alongPath}, the implementation instead
 * replays the whole path from the concretized initial world, so that internal state a fault corrupted earlier (a
 * stale upper level of a bitmap, say) is still there: concretizing afresh would hide it.
 */
public record ImplRefinement(Policy policy, Geometry geometry, Set<Fault> faults, boolean alongPath) implements Refinement {

    public ImplRefinement(Policy policy, Geometry geometry, Set<Fault> faults) {
        this(policy, geometry, faults, false);
    }

    @Override
    public Option<String> checkAlong(World initial, io.vavr.collection.List<Action> path, World world, Action action,
                                     Outcome modelOutcome) {
        if (!alongPath) {
            return check(world, action, modelOutcome);
        }
        ImplSystem impl = Concretization.of(policy, geometry, initial, faults);
        try {
            for (Action a : path) {
                ImplDriver.step(impl, a);
            }
            Outcome implOutcome = ImplDriver.step(impl, action);
            Option<String> stepDiff = Agreement.compare(action, modelOutcome, implOutcome, Abstraction.of(impl));
            return stepDiff.isDefined() ? stepDiff : Agreement.told(action, modelOutcome, impl.printed());
        } catch (RuntimeException e) {
            return Option.some("the implementation threw " + e + " on " + action);
        }
    }

    @Override
    public Option<String> check(World world, Action action, Outcome modelOutcome) {
        ImplSystem impl = Concretization.of(policy, geometry, world, faults);
        Outcome implOutcome;
        try {
            implOutcome = ImplDriver.step(impl, action);
        } catch (RuntimeException e) {
            return Option.some("the implementation threw " + e + " on " + action);
        }
        Option<String> stepDiff = Agreement.compare(action, modelOutcome, implOutcome, Abstraction.of(impl));
        return stepDiff.isDefined() ? stepDiff : Agreement.told(action, modelOutcome, impl.printed());
    }
}
