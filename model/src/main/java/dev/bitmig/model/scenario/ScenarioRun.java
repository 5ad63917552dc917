package dev.bitmig.model.scenario;

import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;

/**
 * Runs a scenario on a driver and records every step's outcome and which invariants broke at which step. Invariants
 * are judged on the model world that runs alongside (it carries the ghost truth).
 */
public record ScenarioRun(List<Outcome> outcomes, List<SortedSet<Invariant>> violatedPerStep) {

    public static ScenarioRun run(Scenario s, Driver driver, Geometry geometry) {
        List<Outcome> outcomes = List.empty();
        List<SortedSet<Invariant>> violated = List.empty();
        for (Action a : s.steps()) {
            outcomes = outcomes.append(driver.step(a));
            World w = driver.world();
            violated = violated.append(TreeSet.ofAll(List.of(Invariant.values()).filter(i -> !i.holds(w, geometry))));
        }
        return new ScenarioRun(outcomes, violated);
    }

    /** Invariants violated at some step. */
    public SortedSet<Invariant> violated() {
        SortedSet<Invariant> all = TreeSet.empty();
        for (SortedSet<Invariant> step : violatedPerStep) {
            all = all.addAll(step);
        }
        return all;
    }

    /** Rejections, as "step N Action: reason" lines. */
    public List<String> rejections(Scenario s) {
        return outcomes.zipWithIndex().filter(t -> t._1 instanceof Outcome.Rejected)
                .map(t -> "step " + (t._2 + 1) + " " + s.steps().get(t._2) + ": " + ((Outcome.Rejected) t._1).reason());
    }
}
