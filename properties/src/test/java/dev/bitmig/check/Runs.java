package dev.bitmig.check;

import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Explorations shared by the tests of one JVM: the explorer is deterministic, so a run with the same policy, bounds,
 * thread count and reduction is the same run, and is computed once.
 */
final class Runs {
    private Runs() {
    }

    private record Key(String policy, Policy instance, Bounds bounds, int threads, boolean symmetry, boolean lineages) { }

    private static final Map<Key, ExplorationResult> RUNS = new ConcurrentHashMap<>();

    static ExplorationResult of(Policy p, Bounds b, int threads, boolean symmetry) {
        return of(p, b, threads, symmetry, true);
    }

    static ExplorationResult of(Policy p, Bounds b, int threads, boolean symmetry, boolean canonicalLineages) {
        return RUNS.computeIfAbsent(new Key(p.name(), p, b, threads, symmetry, canonicalLineages), k ->
                new Explorer(new Spec(p, b.geometry()), b, threads, Refinement.NONE).withSymmetry(symmetry)
                        .withCanonicalLineages(canonicalLineages).run(Explorer.initialWorlds(b), x -> { }));
    }
}
