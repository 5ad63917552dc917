package dev.bitmig.check;

import dev.bitmig.impl.Fault;
import dev.bitmig.model.Action;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;

/**
 * Valid trace files to derive hostile ones from: the saved traces, generated chains of every policy from both initial
 * worlds under several configurations, and the counterexample the random chains find for a seeded fault.
 */
public final class ValidTraces {
    static final Path SAVED = Path.of("src/test/resources/traces");

    private ValidTraces() {
    }

    /** A valid trace and its text as the checker writes it. */
    public record Valid(String label, Trace trace, String text) {
    }

    public static List<Valid> all() {
        List<Valid> out = saved();
        List<Bounds> configurations = List.of(Bounds.DEFAULT,
                Bounds.DEFAULT.withReadOnlyLaunch(true).withInactiveAdds(true),
                Bounds.DEFAULT.withClusters(9).withGranularities(List.of(1, 2, 4)).withWriteStride(2));
        Random random = new Random(11);
        List<Invariant> invariants = List.of(Invariant.values());
        int n = 0;
        for (Policy p : Policies.ALL) {
            for (InitialWorld initial : InitialWorld.values()) {
                Bounds b = configurations.get(n % configurations.size());
                String claim = n % 3 == 0 ? Trace.REFINEMENT : invariants.get(n % invariants.size()).title();
                Trace t = new Trace(b, p.name(), List.empty(), initial, chain(p, b, initial, 12, random), claim, "");
                out = out.append(valid("chain of " + p.name() + " from " + initial, t));
                n++;
            }
        }
        for (Fault f : List.of(Fault.H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP)) {
            RandomChains.Result r = new RandomChains(Policies.QEMU_10_0, Bounds.DEFAULT, Set.of(f),
                    Check::isRefinement).run(f.ordinal() * 7919L + 1, 2000, 12);
            for (Trace t : r.counterexample()) {
                out = out.append(valid("counterexample of " + f, t));
            }
        }
        return out;
    }

    static Valid valid(String label, Trace t) {
        try {
            return new Valid(label, t, TraceJson.MAPPER.writeValueAsString(TraceJson.trace(t)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The saved traces of the properties module, also when another module's tests ask (from beside it). */
    static List<Valid> saved() {
        Path dir = Files.isDirectory(SAVED) ? SAVED : Path.of("..", "properties").resolve(SAVED);
        if (!Files.isDirectory(dir)) {
            return List.empty();
        }
        try (var files = Files.list(dir)) {
            List<Valid> out = List.empty();
            for (Path f : files.sorted().toList()) {
                out = out.append(new Valid(f.getFileName().toString(), TraceJson.read(f), Files.readString(f)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TraceFormatException e) {
            throw new AssertionError("a saved trace does not read: " + e.getMessage(), e);
        }
    }

    /** A chain the generator draws, as the random lockstep runs draw them. */
    static List<Action> chain(Policy p, Bounds b, InitialWorld initial, int length, Random random) {
        Spec spec = new Spec(p, b.geometry());
        ChainGenerator g = new ChainGenerator(b);
        World w = initial.build(b);
        List<Action> actions = List.empty();
        for (int i = 0; i < length; i++) {
            Action a = g.next(w, random);
            actions = actions.append(a);
            w = spec.apply(w, a).successor().getOrElse(w);
        }
        return actions;
    }
}
