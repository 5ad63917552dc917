package dev.bitmig.report;

import dev.bitmig.check.ClassFinding;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Verdict;
import dev.bitmig.check.VerdictMatrix;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The text output of check and explore: per policy and invariant, holds or violated with the number of classes; then
 * one line per class with the length of its shortest counterexample, and that counterexample one step a line.
 */
final class VerdictTable {
    private VerdictTable() {
    }

    static void print(PrintWriter out, VerdictMatrix m) {
        for (ExplorationResult r : m.rows()) {
            out.printf(Locale.ROOT, "%s: %,d distinct states to depth %d%s, %,.0f states/s, %.1f bytes a state, "
                            + "fingerprint collision probability %.1e%n", r.policy(), r.distinct(), r.depth(),
                    r.symmetry() ? " (symmetry of bitmap names)" : "", r.distinctPerSecond(), r.bytesPerState(),
                    r.collisionProbability());
            r.verdicts().forEach((inv, v) -> {
                if (v instanceof Verdict.Holds h) {
                    out.printf(Locale.ROOT, "  %-14s holds%n", inv.title());
                    return;
                }
                var classes = r.classesOf(inv);
                out.printf(Locale.ROOT, "  %-14s VIOLATED: %d class%s%n", inv.title(), classes.size(),
                        classes.size() == 1 ? "" : "es");
                for (ClassFinding f : classes) {
                    out.printf(Locale.ROOT, "    %2d steps  %s%n", f.counterexample().actions().size(),
                            f.violationClass().name());
                }
            });
        }
        out.println();
        out.println("Shortest counterexample of every class (replay one with: bitmig replay TRACE.json):");
        for (ExplorationResult r : m.rows()) {
            r.verdicts().forEach((inv, v) -> {
                for (ClassFinding f : r.classesOf(inv)) {
                    Verdict.Violated x = f.counterexample();
                    out.printf(Locale.ROOT, "%n%s %s %s (%d steps, from %s)%n", r.policy(), inv.title(),
                            f.violationClass().name(), x.actions().size(), InitialWorld.values()[x.initial()]);
                    for (int i = 0; i < x.actions().size(); i++) {
                        out.printf(Locale.ROOT, "  %2d. %s%n", i + 1, x.actions().get(i));
                    }
                    out.println("  => " + x.message());
                }
            });
        }
    }
}
