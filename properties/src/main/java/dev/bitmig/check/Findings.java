package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.ViolationClass;
import dev.bitmig.model.ViolationClasses;
import dev.bitmig.model.World;
import io.vavr.collection.List;

import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a search found, in the words of its result: every violation class with its shortest counterexample, rebuilt by
 * re-running actions from an initial world, and per invariant the verdict. Shared by every explorer, whatever keeps
 * its states, so that they give the same answers from the same findings.
 */
public final class Findings {
    private final Spec spec;
    private final List<World> initials;
    private final Function<Found, Route> routes;

    /**
     * A class first found: at which depth, and by which candidate. At depth 0 the key is the index of the initial
     * world; deeper, candidates of one depth are ordered by key, the smaller found first (breadth-first order).
     */
    public record Found(int depth, long key) { }

    /**
     * The transition a candidate names: from the initial world {@code initial}, the actions {@code prefix} lead to the
     * state it leaves, and {@code last} is its own action (null at depth 0).
     */
    public record Route(int initial, List<Action> prefix, Action last) { }

    /** With {@code routes}, which turns a found candidate into the transition it names. */
    public Findings(Spec spec, List<World> initials, Function<Found, Route> routes) {
        this.spec = spec;
        this.initials = initials;
        this.routes = routes;
    }

    /** Per invariant, every class found with its counterexample, shortest first. */
    public Map<Invariant, List<ClassFinding>> classes(Map<ViolationClass, Found> found) {
        Map<Invariant, java.util.List<ClassFinding>> byInvariant = new TreeMap<>();
        for (var e : found.entrySet()) {
            byInvariant.computeIfAbsent(e.getKey().invariant(), k -> new ArrayList<>())
                    .add(new ClassFinding(e.getKey(), replay(e.getValue(), null, e.getKey())));
        }
        Map<Invariant, List<ClassFinding>> classes = new TreeMap<>();
        for (Invariant i : Invariant.values()) {
            classes.put(i, List.ofAll(byInvariant.getOrDefault(i, java.util.List.of())).sorted());
        }
        return classes;
    }

    /** Per invariant: holds over the states and depth reached, or the counterexample of the class found first. */
    public Map<Invariant, Verdict> verdicts(Map<Invariant, List<ClassFinding>> classes, Map<ViolationClass, Found> found,
                                            long distinct, int depth) {
        Map<Invariant, Verdict> verdicts = new TreeMap<>();
        for (Invariant i : Invariant.values()) {
            List<ClassFinding> list = classes.get(i);
            verdicts.put(i, list.isEmpty() ? new Verdict.Holds(distinct, depth) : shortest(list, found));
        }
        return verdicts;
    }

    /** The overall shortest counterexample of an invariant: the class found first. */
    private static Verdict.Violated shortest(List<ClassFinding> list, Map<ViolationClass, Found> found) {
        ViolationClass first = list.map(ClassFinding::violationClass)
                .minBy((a, b) -> {
                    Found x = found.get(a);
                    Found y = found.get(b);
                    int c = Integer.compare(x.depth(), y.depth());
                    return c != 0 ? c : Long.compare(x.key(), y.key());
                }).get();
        return list.find(f -> f.violationClass().equals(first)).get().counterexample();
    }

    /**
     * Rebuild a counterexample by re-running its actions; the message, unless given, is the class's violation in the
     * last world.
     */
    public Verdict.Violated replay(Found f, String message, ViolationClass c) {
        Route r = routes.apply(f);
        if (f.depth() == 0) {
            World w = initials.get(r.initial());
            return new Verdict.Violated(r.initial(), List.empty(), ViolationClasses.message(c, null, null, w, spec.geometry()));
        }
        World w = initials.get(r.initial());
        for (Action a : r.prefix()) {
            w = spec.apply(w, a).successor().get();
        }
        World before = w;
        Outcome o = spec.apply(w, r.last());
        String text = message != null ? message : o.successor().isDefined()
                ? ViolationClasses.message(c, before, r.last(), o.successor().get(), spec.geometry()) : o.toString();
        return new Verdict.Violated(r.initial(), r.prefix().append(r.last()), text);
    }

    /** Accepted and rejected transitions per action kind, from the counts per action. */
    public static Map<String, ExplorationResult.Counts> perAction(Action[] actions, long[] accepted, long[] rejected) {
        Map<String, ExplorationResult.Counts> counts = new TreeMap<>();
        for (int a = 0; a < actions.length; a++) {
            counts.merge(actions[a].kind(), new ExplorationResult.Counts(accepted[a], rejected[a]),
                    (x, y) -> new ExplorationResult.Counts(x.accepted() + y.accepted(), x.rejected() + y.rejected()));
        }
        return counts;
    }
}
