package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.control.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Breadth-first search over the model from the initial worlds, level by level. Expansion runs on several threads;
 * successors are merged in a fixed order (frontier order, then action order), so the distinct states, the depth and
 * the shortest counterexample of each invariant are the same whatever the thread count.
 */
public final class Explorer {
    private final Spec spec;
    private final Bounds bounds;
    private final int threads;
    private final Refinement refinement;
    private final Action[] actions;
    private final boolean stopAtRefinementFailure;
    /** Per distinct state: the state it was first reached from, and by which action (read-only during expansion). */
    private final ArrayList<Integer> parent = new ArrayList<>();
    private final ArrayList<Integer> via = new ArrayList<>();

    public Explorer(Spec spec, Bounds bounds, int threads, Refinement refinement) {
        this(spec, bounds, threads, refinement, false);
    }

    /** With {@code stopAtRefinementFailure}, the search ends after the level where the implementation first disagrees. */
    public Explorer(Spec spec, Bounds bounds, int threads, Refinement refinement, boolean stopAtRefinementFailure) {
        this.stopAtRefinementFailure = stopAtRefinementFailure;
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.spec = spec;
        this.bounds = bounds;
        this.threads = threads;
        this.refinement = refinement;
        this.actions = ActionSpace.of(bounds).toJavaArray(Action[]::new);
    }

    /** The initial worlds of a run, in {@link InitialWorld} order. */
    public static List<World> initialWorlds(Bounds b) {
        return InitialWorld.all(b);
    }

    /** One expanded transition, computed in parallel and merged in order. */
    private record Successor(int action, World world, WorldKey key, int violations, String refinementFailure) { }

    /** Progress after each level: depth, distinct states, generated states, elapsed nanos. */
    public record Progress(int depth, long distinct, long generated, long elapsedNanos) { }

    public ExplorationResult run(List<World> initials, Consumer<Progress> progress) {
        long start = System.nanoTime();
        Invariant[] invariants = Invariant.values();
        ArrayList<World> states = new ArrayList<>();
        parent.clear();
        via.clear();
        Map<WorldKey, Integer> seen = new HashMap<>();
        Map<Invariant, Verdict.Violated> violations = new TreeMap<>();
        Map<String, long[]> perAction = new TreeMap<>();
        Option<Verdict.Violated> refinementFailure = Option.none();
        String refinementMessage = null;
        long generated = 0;

        ArrayList<Integer> frontier = new ArrayList<>();
        for (World w : initials) {
            WorldKey k = WorldKey.of(w);
            if (!seen.containsKey(k)) {
                seen.put(k, states.size());
                frontier.add(states.size());
                states.add(w);
                parent.add(-1);
                via.add(-1);
            }
            for (int i = 0; i < invariants.length; i++) {
                Option<String> v = invariants[i].violation(w, spec.geometry());
                if (v.isDefined() && !violations.containsKey(invariants[i])) {
                    violations.put(invariants[i], new Verdict.Violated(initials.indexOf(w), List.empty(), v.get()));
                }
            }
        }

        int depth = 0;
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            while (!frontier.isEmpty() && depth < bounds.depth()) {
                List<Successor>[] expanded = expand(frontier, states, pool);
                ArrayList<Integer> next = new ArrayList<>();
                for (int f = 0; f < frontier.size(); f++) {
                    int from = frontier.get(f);
                    for (Successor s : expanded[f]) {
                        generated++;
                        String kind = actions[s.action()].kind();
                        long[] counts = perAction.computeIfAbsent(kind, k -> new long[2]);
                        if (s.world() == null) {
                            counts[1]++;
                        } else {
                            counts[0]++;
                        }
                        if (s.refinementFailure() != null && refinementFailure.isEmpty()) {
                            refinementFailure = Option.some(trace(from, s.action(), states, parent, via, s.refinementFailure()));
                            refinementMessage = s.refinementFailure();
                        }
                        if (s.world() == null) {
                            continue;
                        }
                        for (int i = 0; i < invariants.length; i++) {
                            if ((s.violations() & (1 << i)) != 0 && !violations.containsKey(invariants[i])) {
                                String msg = invariants[i].violation(s.world(), spec.geometry()).get();
                                violations.put(invariants[i], trace(from, s.action(), states, parent, via, msg));
                            }
                        }
                        if (!seen.containsKey(s.key())) {
                            seen.put(s.key(), states.size());
                            next.add(states.size());
                            states.add(s.world());
                            parent.add(from);
                            via.add(s.action());
                        }
                    }
                }
                if (!next.isEmpty()) {
                    depth++;
                }
                frontier = next;
                if (stopAtRefinementFailure && refinementFailure.isDefined()) {
                    frontier = new ArrayList<>();
                }
                progress.accept(new Progress(depth, states.size(), generated, System.nanoTime() - start));
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        long distinct = states.size();
        int reached = depth;
        Map<Invariant, Verdict> verdicts = new TreeMap<>();
        for (Invariant i : invariants) {
            verdicts.put(i, violations.containsKey(i) ? violations.get(i) : new Verdict.Holds(distinct, reached));
        }
        Map<String, ExplorationResult.Counts> counts = new TreeMap<>();
        perAction.forEach((k, v) -> counts.put(k, new ExplorationResult.Counts(v[0], v[1])));
        return new ExplorationResult(spec.policy().name(), bounds, distinct, generated, reached,
                System.nanoTime() - start, threads, io.vavr.collection.TreeMap.ofAll(verdicts),
                io.vavr.collection.TreeMap.ofAll(counts), refinementFailure, Option.of(refinementMessage));
    }

    @SuppressWarnings("unchecked")
    private List<Successor>[] expand(ArrayList<Integer> frontier, ArrayList<World> states, ExecutorService pool) {
        List<Successor>[] out = new List[frontier.size()];
        if (pool == null) {
            for (int f = 0; f < frontier.size(); f++) {
                out[f] = successors(frontier.get(f), states);
            }
            return out;
        }
        int chunks = threads * 8;
        int per = Math.max(1, (frontier.size() + chunks - 1) / chunks);
        ArrayList<Future<?>> futures = new ArrayList<>();
        for (int lo = 0; lo < frontier.size(); lo += per) {
            int from = lo;
            int to = Math.min(frontier.size(), lo + per);
            futures.add(pool.submit(() -> {
                for (int f = from; f < to; f++) {
                    out[f] = successors(frontier.get(f), states);
                }
            }));
        }
        for (Future<?> fu : futures) {
            try {
                fu.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("exploration interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("exploration failed: " + e.getCause(), e.getCause());
            }
        }
        return out;
    }

    private List<Successor> successors(int index, ArrayList<World> states) {
        World w = states.get(index);
        World initial = w;
        List<Action> path = List.empty();
        if (refinement != Refinement.NONE) {
            int at = index;
            while (parent.get(at) >= 0) {
                path = path.prepend(actions[via.get(at)]);
                at = parent.get(at);
            }
            initial = states.get(at);
        }
        Invariant[] invariants = Invariant.values();
        java.util.ArrayList<Successor> out = new java.util.ArrayList<>(actions.length);
        for (int a = 0; a < actions.length; a++) {
            if (!ActionSpace.tried(bounds, w, actions[a])) {
                continue;
            }
            Outcome o = spec.apply(w, actions[a]);
            String refinementFailure = refinement.checkAlong(initial, path, w, actions[a], o).getOrNull();
            if (o instanceof Outcome.Next n) {
                int bits = 0;
                for (int i = 0; i < invariants.length; i++) {
                    if (!invariants[i].holds(n.world(), spec.geometry())) {
                        bits |= 1 << i;
                    }
                }
                out.add(new Successor(a, n.world(), WorldKey.of(n.world()), bits, refinementFailure));
            } else {
                out.add(new Successor(a, null, null, 0, refinementFailure));
            }
        }
        return List.ofAll(out);
    }

    private Verdict.Violated trace(int from, int action, ArrayList<World> states, ArrayList<Integer> parent,
                                   ArrayList<Integer> via, String message) {
        java.util.LinkedList<Action> path = new java.util.LinkedList<>();
        path.addFirst(actions[action]);
        int at = from;
        while (parent.get(at) >= 0) {
            path.addFirst(actions[via.get(at)]);
            at = parent.get(at);
        }
        return new Verdict.Violated(at, List.ofAll(path), message);
    }
}
