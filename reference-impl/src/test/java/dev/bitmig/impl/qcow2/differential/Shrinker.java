package dev.bitmig.impl.qcow2.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delta debugging over a history's steps: removes chunks of steps (halves, then quarters, down to single steps)
 * while the history still fails, then replaces single steps by simpler variants while it still fails. The first
 * step stays. The result is 1-minimal: removing any one further step, or simplifying any one step, makes it pass.
 */
final class Shrinker {
    private Shrinker() {
    }

    static <H, S> H shrink(Direction<H, S> direction, H history, Predicate<H> fails, int budget) {
        int[] tries = {budget};
        Predicate<H> bounded = h -> tries[0]-- > 0 && fails.test(h);
        H best = history;
        boolean progress = true;
        while (progress && tries[0] > 0) {
            progress = false;
            List<S> steps = direction.steps(best);
            for (int chunk = Math.max(1, (steps.size() - 1) / 2); chunk >= 1 && !progress; chunk /= 2) {
                for (int from = 1; from < steps.size() && !progress; from += chunk) {
                    List<S> fewer = new ArrayList<>(steps.subList(0, from));
                    fewer.addAll(steps.subList(Math.min(steps.size(), from + chunk), steps.size()));
                    H candidate = direction.withSteps(best, fewer);
                    if (bounded.test(candidate)) {
                        best = candidate;
                        progress = true;
                    }
                }
            }
            if (!progress) {
                steps = direction.steps(best);
                for (int i = 1; i < steps.size() && !progress; i++) {
                    for (S simpler : direction.simpler(steps.get(i))) {
                        List<S> changed = new ArrayList<>(steps);
                        changed.set(i, simpler);
                        H candidate = direction.withSteps(best, changed);
                        if (bounded.test(candidate)) {
                            best = candidate;
                            progress = true;
                            break;
                        }
                    }
                }
            }
        }
        return best;
    }
}
