package dev.bitmig.impl.qcow2.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The shrinker keeps the first step and ends 1-minimal, within its budget of replays. */
class ShrinkerTest {

    /** Histories of numbers; a step n > 100 is simpler as n - 100. */
    record Numbers(List<Integer> steps) {
    }

    static final class Counting implements Direction<Numbers, Integer> {
        @Override
        public String name() {
            return "numbers";
        }

        @Override
        public Numbers generate(long seed) {
            return new Numbers(List.of());
        }

        @Override
        public long seed(Numbers history) {
            return 0;
        }

        @Override
        public List<Integer> steps(Numbers history) {
            return history.steps();
        }

        @Override
        public Numbers withSteps(Numbers history, List<Integer> steps) {
            return new Numbers(steps);
        }

        @Override
        public List<Integer> simpler(Integer step) {
            return step > 100 ? List.of(step - 100) : List.of();
        }

        @Override
        public Trial play(Numbers history, Path dir) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path image(Path dir) {
            return dir;
        }
    }

    @Test
    void aFailureNeedingTwoStepsShrinksToTheFirstStepAndThoseTwo() {
        Numbers big = new Numbers(IntStream.range(0, 40).boxed().toList());
        Predicate<Numbers> fails = h -> h.steps().contains(13) && h.steps().contains(29);
        Numbers small = Shrinker.shrink(new Counting(), big, fails, 1000);
        assertThat(small.steps()).containsExactly(0, 13, 29);
    }

    @Test
    void stepsAreSimplifiedWhileTheHistoryStillFails() {
        Numbers h = new Numbers(List.of(7, 305, 8));
        Numbers small = Shrinker.shrink(new Counting(), h, x -> x.steps().stream().anyMatch(s -> s % 100 == 5), 1000);
        assertThat(small.steps()).containsExactly(7, 5);
    }

    @Test
    void theBudgetBoundsTheReplays() {
        List<Integer> replays = new ArrayList<>();
        Numbers big = new Numbers(IntStream.range(0, 200).boxed().toList());
        Shrinker.shrink(new Counting(), big, x -> replays.add(1) && x.steps().size() > 150, 10);
        assertThat(replays).hasSize(10);
    }
}
