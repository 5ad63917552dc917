package dev.bitmig.check;

import dev.bitmig.model.Invariant;
import io.vavr.collection.SortedMap;
import io.vavr.control.Option;

/**
 * What one exploration found.
 *
 * @param distinct          distinct states (deduplicated by {@link WorldKey})
 * @param generated         transitions tried (accepted and rejected)
 * @param depth             the deepest level that produced a new state
 * @param refinement        the shortest transition where the implementation disagreed with the model, if any
 * @param refinementMessage the disagreement in words
 */
public record ExplorationResult(String policy, Bounds bounds, long distinct, long generated, int depth,
                                long elapsedNanos, int threads, SortedMap<Invariant, Verdict> verdicts,
                                SortedMap<String, Counts> perAction, Option<Verdict.Violated> refinement,
                                Option<String> refinementMessage) {

    /** Accepted and rejected transitions of one action kind. */
    public record Counts(long accepted, long rejected) { }

    public double distinctPerSecond() {
        return elapsedNanos == 0 ? 0 : distinct * 1e9 / elapsedNanos;
    }

    public double generatedPerSecond() {
        return elapsedNanos == 0 ? 0 : generated * 1e9 / elapsedNanos;
    }
}
