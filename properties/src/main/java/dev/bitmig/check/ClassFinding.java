package dev.bitmig.check;

import dev.bitmig.model.ViolationClass;

/** One violation class a run found, with its shortest counterexample. */
public record ClassFinding(ViolationClass violationClass, Verdict.Violated counterexample)
        implements Comparable<ClassFinding> {

    /** Shortest first, then by class name: the order every output lists them in. */
    @Override
    public int compareTo(ClassFinding o) {
        int c = Integer.compare(counterexample.actions().size(), o.counterexample.actions().size());
        return c != 0 ? c : violationClass.compareTo(o.violationClass);
    }
}
