package dev.bitmig.check;

import dev.bitmig.model.Invariant;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.control.Option;

/**
 * What one exploration found.
 *
 * @param distinct            distinct states (deduplicated by fingerprint, up to the symmetry of bitmap names)
 * @param generated           successors computed (accepted transitions that changed the world)
 * @param depth               the deepest level that produced a new state
 * @param verdicts            per invariant: holds, or the shortest counterexample of any class
 * @param classes             per invariant: every violation class found, shortest counterexample first
 * @param refinement          the shortest transition where the implementation disagreed with the model, if any
 * @param refinementMessage   the disagreement in words
 * @param levels              states first reached at each depth, from 0
 * @param bytesPerState       heap the search held per distinct state at the end
 * @param collisionProbability TLC's optimistic estimate that two distinct states shared a fingerprint
 * @param symmetry            the symmetry reduction over bitmap names was on
 */
public record ExplorationResult(String policy, Bounds bounds, long distinct, long generated, int depth,
                                long elapsedNanos, int threads, SortedMap<Invariant, Verdict> verdicts,
                                SortedMap<Invariant, List<ClassFinding>> classes,
                                SortedMap<String, Counts> perAction, Option<Verdict.Violated> refinement,
                                Option<String> refinementMessage, List<Long> levels, double bytesPerState,
                                double collisionProbability, boolean symmetry) {

    /** Accepted and rejected transitions of one action kind. */
    public record Counts(long accepted, long rejected) { }

    public double distinctPerSecond() {
        return elapsedNanos == 0 ? 0 : distinct * 1e9 / elapsedNanos;
    }

    public double generatedPerSecond() {
        return elapsedNanos == 0 ? 0 : generated * 1e9 / elapsedNanos;
    }

    /** The classes found for one invariant, shortest first. */
    public List<ClassFinding> classesOf(Invariant i) {
        return classes.get(i).getOrElse(List.empty());
    }
}
