package dev.bitmig.check;

import dev.bitmig.impl.Fault;
import dev.bitmig.model.Action;
import dev.bitmig.model.Policy;
import io.vavr.collection.List;
import io.vavr.control.Option;

import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Random lockstep chains without jqwik, deterministic by seed: what the CLI's {@code check} and the seeded-fault
 * tests use. The first failing chain is shrunk (delta debugging: drop chunks, then single steps, while the same check
 * still fails) to a minimal one.
 */
public final class RandomChains {
    private final Policy policy;
    private final Bounds bounds;
    private final Set<Fault> faults;
    private final ChainGenerator generator;
    private final Predicate<Check> fatal;

    /** What a run found: the first failure (shrunk), and how many chains and steps it took. */
    public record Result(Option<Trace> counterexample, Option<Lockstep.Failure> failure, int chains, long steps,
                         int chainsToFirstFailure, long nanosToFirstFailure) { }

    public RandomChains(Policy policy, Bounds bounds, Set<Fault> faults, Predicate<Check> fatal) {
        this.policy = policy;
        this.bounds = bounds;
        this.faults = faults;
        this.generator = new ChainGenerator(bounds);
        this.fatal = fatal;
    }

    public Result run(long seed, int tries, int maxLength) {
        Random random = new Random(seed);
        long steps = 0;
        long start = System.nanoTime();
        for (int chain = 1; chain <= tries; chain++) {
            InitialWorld initial = random.nextInt(4) == 0 ? InitialWorld.TARGET_WAITING : InitialWorld.BITMAP_LOADED;
            Lockstep run = new Lockstep(policy, bounds.geometry(), initial.build(bounds), faults);
            List<Action> actions = List.empty();
            int length = 1 + random.nextInt(maxLength);
            for (int i = 0; i < length; i++) {
                Action a = generator.next(run.world(), random);
                actions = actions.append(a);
                steps++;
                Option<Lockstep.Failure> f = run.step(a).find(x -> fatal.test(x.check()));
                if (f.isDefined()) {
                    long elapsed = System.nanoTime() - start;
                    Check check = f.get().check();
                    List<Action> shrunk = shrink(initial, actions, check);
                    Lockstep.Failure last = replayFailure(initial, shrunk, check).get();
                    Trace t = new Trace(bounds, policy.name(), List.ofAll(faults).map(Enum::name).sorted(), initial,
                            shrunk, check.isRefinement() ? Trace.REFINEMENT : check.title(), last.message());
                    return new Result(Option.some(t), Option.some(last), chain, steps, chain, elapsed);
                }
            }
        }
        return new Result(Option.none(), Option.none(), tries, steps, -1, -1);
    }

    /** The failure of this check when replaying the actions, if it still happens. */
    public Option<Lockstep.Failure> replayFailure(InitialWorld initial, List<Action> actions, Check check) {
        Lockstep run = new Lockstep(policy, bounds.geometry(), initial.build(bounds), faults);
        for (Action a : actions) {
            Option<Lockstep.Failure> f = run.step(a).find(x -> x.check() == check);
            if (f.isDefined()) {
                return f;
            }
        }
        return Option.none();
    }

    /** The shortest sub-sequence of a failing run that still fails the same check (delta debugging). */
    public List<Action> shrink(InitialWorld initial, List<Action> actions, Check check) {
        List<Action> best = actions;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int chunk = Math.max(1, best.size() / 2); chunk >= 1 && !progress; chunk /= 2) {
                for (int at = 0; at + chunk <= best.size(); at++) {
                    List<Action> candidate = best.removeAt(at);
                    for (int k = 1; k < chunk; k++) {
                        candidate = candidate.removeAt(at);
                    }
                    if (replayFailure(initial, candidate, check).isDefined()) {
                        best = candidate;
                        progress = true;
                        break;
                    }
                }
            }
        }
        // Cut what follows the first failing step.
        Lockstep run = new Lockstep(policy, bounds.geometry(), initial.build(bounds), faults);
        int n = 0;
        for (Action a : best) {
            n++;
            if (run.step(a).exists(x -> x.check() == check)) {
                return best.take(n);
            }
        }
        return best;
    }
}
