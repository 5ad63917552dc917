package dev.bitmig.bench;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.WorldKey;
import dev.bitmig.model.Action;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The explorer as it was before checker v2, kept as the benchmark's "before": it keeps every world it reaches and its
 * full encoding as the key, checks every invariant of every successor, and stops at nothing but the depth. Same model,
 * same action space, same merge order; only the storage and the per-successor work differ.
 */
public final class LegacyExplorer {
    private final Spec spec;
    private final Bounds bounds;
    private final int threads;
    private final Action[] actions;
    private final dev.bitmig.model.Alphabet alphabet;

    public LegacyExplorer(Spec spec, Bounds bounds, int threads) {
        this.spec = spec;
        this.bounds = bounds;
        this.threads = threads;
        this.actions = bounds.actions().toJavaArray(Action[]::new);
        this.alphabet = bounds.alphabet();
    }

    private record Successor(World world, WorldKey key, int violations) { }

    /** Distinct states reached from the initial worlds within the bounds' depth. */
    public long run(List<World> initials) {
        ArrayList<World> states = new ArrayList<>();
        Map<WorldKey, Integer> seen = new HashMap<>();
        ArrayList<Integer> frontier = new ArrayList<>();
        for (World w : initials) {
            if (seen.putIfAbsent(WorldKey.of(w), states.size()) == null) {
                frontier.add(states.size());
                states.add(w);
            }
        }
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            for (int depth = 0; depth < bounds.depth() && !frontier.isEmpty(); depth++) {
                java.util.List<Successor>[] expanded = expand(frontier, states, pool);
                ArrayList<Integer> next = new ArrayList<>();
                for (java.util.List<Successor> list : expanded) {
                    for (Successor s : list) {
                        if (seen.putIfAbsent(s.key(), states.size()) == null) {
                            next.add(states.size());
                            states.add(s.world());
                        }
                    }
                }
                frontier = next;
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return states.size();
    }

    @SuppressWarnings("unchecked")
    private java.util.List<Successor>[] expand(ArrayList<Integer> frontier, ArrayList<World> states, ExecutorService pool) {
        java.util.List<Successor>[] out = new java.util.List[frontier.size()];
        if (pool == null) {
            for (int f = 0; f < frontier.size(); f++) {
                out[f] = successors(states.get(frontier.get(f)));
            }
            return out;
        }
        int per = Math.max(1, frontier.size() / (threads * 8) + 1);
        java.util.List<Future<?>> futures = new ArrayList<>();
        for (int lo = 0; lo < frontier.size(); lo += per) {
            int from = lo;
            int to = Math.min(frontier.size(), lo + per);
            futures.add(pool.submit(() -> {
                for (int f = from; f < to; f++) {
                    out[f] = successors(states.get(frontier.get(f)));
                }
            }));
        }
        for (Future<?> fu : futures) {
            try {
                fu.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        return out;
    }

    private java.util.List<Successor> successors(World w) {
        java.util.List<Successor> out = new ArrayList<>();
        for (Action a : actions) {
            if (!dev.bitmig.model.Next.tried(alphabet, w, a)) {
                continue;
            }
            Outcome o = spec.apply(w, a);
            if (o.successor().isDefined()) {
                World next = o.successor().get();
                int bits = 0;
                for (Invariant i : Invariant.values()) {
                    bits |= i.holds(next, spec.geometry()) ? 0 : 1 << i.ordinal();
                }
                out.add(new Successor(next, WorldKey.of(next), bits));
            }
        }
        return out;
    }
}
