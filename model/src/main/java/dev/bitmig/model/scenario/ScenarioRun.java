package dev.bitmig.model.scenario;

import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;

/**
 * A scenario run on the model: every step's outcome, the world after it, and which invariants broke. Other systems
 * (an implementation behind a {@link Driver}) are compared against it step by step.
 */
public record ScenarioRun(Scenario scenario, List<Outcome> outcomes, List<World> worlds,
                          List<SortedSet<Invariant>> violatedPerStep) {

    public static ScenarioRun of(Scenario s, Spec spec, World initial) {
        Geometry geometry = spec.geometry();
        List<Outcome> outcomes = List.empty();
        List<World> worlds = List.empty();
        List<SortedSet<Invariant>> violated = List.empty();
        World w = initial;
        for (Action a : s.steps()) {
            Outcome o = spec.apply(w, a);
            w = o.successor().getOrElse(w);
            World now = w;
            outcomes = outcomes.append(o);
            worlds = worlds.append(now);
            violated = violated.append(TreeSet.ofAll(List.of(Invariant.values()).filter(i -> !i.holds(now, geometry))));
        }
        return new ScenarioRun(s, outcomes, worlds, violated);
    }

    /** Invariants violated at some step. */
    public SortedSet<Invariant> violated() {
        SortedSet<Invariant> all = TreeSet.empty();
        for (SortedSet<Invariant> step : violatedPerStep) {
            all = all.addAll(step);
        }
        return all;
    }

    /** QEMU's errors (rejections, and failures that changed the world), as "step N Action: reason" lines. */
    public List<String> rejections() {
        return outcomes.zipWithIndex().filter(t -> t._1.error().isDefined())
                .map(t -> "step " + (t._2 + 1) + " " + scenario.steps().get(t._2) + ": " + t._1.error().get());
    }
}
