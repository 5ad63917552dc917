package dev.bitmig.bench;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.control.Option;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Random action chains from {@code Next.actions(Bounds.DEFAULT.alphabet())}, {@value #CHAIN} steps from the initial world:
 * the model alone, the implementation alone, and both in lockstep with the comparison after every step. The score
 * is steps per second (rejected actions count as steps).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms1g", "-Xmx4g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class ChainBench {
    public static final int CHAIN = 20;
    private static final int CHAINS = 256;
    public static final Policy POLICY = Policies.QEMU_10_0;

    @State(Scope.Thread)
    public static class Chains {
        Geometry geometry;
        Spec spec;
        Action[][] chains;
        int next;

        @Setup(Level.Trial)
        public void trial() {
            Bounds b = Bounds.DEFAULT;
            geometry = b.geometry();
            spec = new Spec(POLICY, geometry);
            Action[] all = b.actions().toJavaArray(Action[]::new);
            SplittableRandom rnd = new SplittableRandom(81);
            chains = new Action[CHAINS][CHAIN];
            for (Action[] c : chains) {
                for (int i = 0; i < CHAIN; i++) {
                    c[i] = all[rnd.nextInt(all.length)];
                }
            }
        }

        Action[] nextChain() {
            Action[] c = chains[next];
            next = (next + 1) % CHAINS;
            return c;
        }
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public World model(Chains s) {
        World w = World.initial(s.geometry);
        for (Action a : s.nextChain()) {
            w = s.spec.apply(w, a).successor().getOrElse(w);
        }
        return w;
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public ImplSystem impl(Chains s) {
        ImplSystem impl = new ImplSystem(POLICY, s.geometry, java.util.Set.of());
        for (Action a : s.nextChain()) {
            ImplDriver.step(impl, a);
        }
        return impl;
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public World lockstep(Chains s) {
        World w = World.initial(s.geometry);
        ImplSystem impl = new ImplSystem(POLICY, s.geometry, java.util.Set.of());
        for (Action a : s.nextChain()) {
            Outcome expected = s.spec.apply(w, a);
            Outcome actual = ImplDriver.step(impl, a);
            w = expected.successor().getOrElse(w);
            Option<String> d = Refinements.disagreement(a.toString(), expected, actual);
            if (d.isDefined()) {
                throw new IllegalStateException(d.get());
            }
        }
        return w;
    }
}
