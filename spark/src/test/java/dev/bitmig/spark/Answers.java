package dev.bitmig.spark;

import dev.bitmig.check.ClassFinding;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.Verdict;
import dev.bitmig.model.Invariant;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.control.Option;

/**
 * What a search answers, without how it ran (time, threads, bytes held): the states per level, the successors, the
 * transitions per action kind, the verdicts, and every class with its counterexample.
 */
record Answers(String policy, long distinct, long generated, int depth, List<Long> levels,
               SortedMap<String, ExplorationResult.Counts> perAction, SortedMap<Invariant, Verdict> verdicts,
               SortedMap<Invariant, List<ClassFinding>> classes, Option<Verdict.Violated> refinement,
               double collisionProbability, boolean symmetry) {

    static Answers of(ExplorationResult r) {
        return new Answers(r.policy(), r.distinct(), r.generated(), r.depth(), r.levels(), r.perAction(), r.verdicts(),
                r.classes(), r.refinement(), r.collisionProbability(), r.symmetry());
    }
}
