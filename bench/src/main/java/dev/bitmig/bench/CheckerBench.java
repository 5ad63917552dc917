package dev.bitmig.bench;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.Explorer;
import dev.bitmig.check.Refinement;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The exhaustive explorer at a small bound ({@code Bounds.DEFAULT.withDepth(depth)}, policy QEMU_10_0) with 1
 * and 2 threads, without and with the per-transition refinement check against the implementation. The score is
 * whole explorations per second; the secondary metric {@code distinctStates} is distinct states per second.
 * {@code exploreLegacy} runs the explorer as it was before checker v2 ({@link LegacyExplorer}: every world kept,
 * every successor judged) on the same model, so that before and after are measured in one run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms1g", "-Xmx4g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class CheckerBench {
    public static final Policy POLICY = Policies.QEMU_10_0;

    @State(Scope.Benchmark)
    public static class ExplorerState {
        @Param({"4"})
        public int depth;
        @Param({"1", "2"})
        public int threads;
        @Param({"none", "impl"})
        public String refinement;
        /** The symmetry reduction over bitmap names. */
        @Param({"on", "off"})
        public String symmetry;
        Explorer explorer;
        List<World> initials;

        @Setup(Level.Trial)
        public void trial() {
            Bounds b = Bounds.DEFAULT.withDepth(depth);
            Refinement r = refinement.equals("impl") ? Refinements.impl(POLICY, b.geometry()) : Refinement.NONE;
            explorer = new Explorer(new Spec(POLICY, b.geometry()), b, threads, r).withSymmetry(symmetry.equals("on"));
            initials = Explorer.initialWorlds(b);
        }
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Distinct {
        public long distinctStates;

        @Setup(Level.Iteration)
        public void reset() {
            distinctStates = 0;
        }
    }

    /** The explorer before checker v2, same bound and threads, no refinement. */
    @State(Scope.Benchmark)
    public static class LegacyState {
        @Param({"4"})
        public int depth;
        @Param({"1", "2"})
        public int threads;
        LegacyExplorer explorer;
        List<World> initials;

        @Setup(Level.Trial)
        public void trial() {
            Bounds b = Bounds.DEFAULT.withDepth(depth);
            explorer = new LegacyExplorer(new Spec(POLICY, b.geometry()), b, threads);
            initials = Explorer.initialWorlds(b);
        }
    }

    @Benchmark
    public long exploreLegacy(LegacyState s, Distinct d) {
        long n = s.explorer.run(s.initials);
        d.distinctStates += n;
        return n;
    }

    @Benchmark
    public ExplorationResult explore(ExplorerState s, Distinct d) {
        ExplorationResult r = s.explorer.run(s.initials, p -> { });
        if (r.refinement().isDefined()) {
            throw new IllegalStateException("refinement failed: " + r.refinementMessage().getOrElse(""));
        }
        d.distinctStates += r.distinct();
        return r;
    }
}
