package dev.bitmig.check;

import dev.bitmig.impl.Fault;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.control.Option;

import java.util.EnumSet;
import java.util.Set;

/**
 * Re-runs a saved trace, deterministically, on the model and (with the trace's faults) on the implementation, step
 * by step.
 *
 * @param outcomes   the model's outcome of each step
 * @param worlds     the model world after each step
 * @param violations per step, the first violated invariant's message (or none)
 * @param refinement the first step where the implementation disagreed, in words
 */
public record Replay(Trace trace, List<Outcome> outcomes, List<World> worlds, List<Option<String>> violations,
                     Option<String> refinement) {

    public static Replay of(Trace t) throws TraceFormatException {
        Policy policy = Policy.byName(t.policy()).getOrElseThrow(() -> new TraceFormatException(
                "policy: unknown policy " + TraceJson.shown(t.policy()) + "; expected one of " + dev.bitmig.model.Policies.names().mkString(", ")));
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        for (String f : t.faults()) {
            try {
                faults.add(Fault.valueOf(f));
            } catch (IllegalArgumentException e) {
                throw new TraceFormatException("faults: unknown fault " + TraceJson.shown(f));
            }
        }
        Option<Invariant> watched = Invariant.byTitle(t.invariant());
        if (watched.isEmpty() && !Trace.REFINEMENT.equals(t.invariant()) && t.claims()) {
            throw new TraceFormatException("invariant: unknown invariant " + TraceJson.shown(t.invariant())
                    + "; expected one of " + List.of(Invariant.values()).map(Invariant::title).append(Trace.REFINEMENT)
                    .mkString(", "));
        }
        Bounds b = t.configuration();
        Spec spec = new Spec(policy, b.geometry());
        World w;
        try {
            w = t.initial().build(b);
        } catch (IllegalArgumentException e) {
            throw new TraceFormatException("initial: " + e.getMessage(), e);
        }
        ImplSystem impl = Concretization.of(policy, b.geometry(), w, faults);
        List<Outcome> outcomes = List.empty();
        List<World> worlds = List.empty();
        List<Option<String>> violations = List.empty();
        Option<String> refinement = Option.none();
        int step = 0;
        for (Action a : t.actions()) {
            step++;
            Outcome o = spec.apply(w, a);
            w = o.successor().getOrElse(w);
            World now = w;
            outcomes = outcomes.prepend(o);
            worlds = worlds.prepend(now);
            Option<String> v = watched.isDefined() ? watched.get().violation(now, b.geometry())
                    : List.of(Invariant.values()).flatMap(i -> i.violation(now, b.geometry())).headOption();
            violations = violations.prepend(v);
            if (refinement.isEmpty()) {
                Outcome io;
                try {
                    io = ImplDriver.step(impl, a);
                } catch (RuntimeException e) {
                    refinement = Option.some("step " + step + ": the implementation threw " + e);
                    continue;
                }
                Option<String> compared = Agreement.compare(a, o, io, Abstraction.of(impl));
                Option<String> diff = compared.isDefined() ? compared : Agreement.told(a, o, impl.printed());
                final int at = step;
                refinement = diff.map(d -> "step " + at + ": " + d);
            }
        }
        return new Replay(t, outcomes.reverse(), worlds.reverse(), violations.reverse(), refinement);
    }

    /** The violation after the last step, if any. */
    public Option<String> finalViolation() {
        return violations.isEmpty() ? Option.none() : violations.last();
    }

    /** Whether replaying reproduces what the trace claims (a plain scenario: whether any step violates an invariant). */
    public boolean reproduces() {
        if (!trace.claims()) {
            return violations.exists(Option::isDefined);
        }
        if (Trace.REFINEMENT.equals(trace.invariant())) {
            return refinement.isDefined();
        }
        return finalViolation().isDefined();
    }
}
