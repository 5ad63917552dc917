package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fingerprint encodes each world once, with the renaming its name signatures choose. That is only sound if it
 * splits the worlds into exactly the classes the plain definition does (the smallest encoding over every permutation
 * of the names): equal fingerprints for worlds that are renamings of each other, different ones otherwise.
 */
class SignatureFingerprintIsCanonicalTest {

    @Test
    void signatureFingerprintsPartitionWorldsExactlyAsTheSmallestOverEveryPermutation() {
        Bounds b = Bounds.DEFAULT;
        Fingerprint fp = new Fingerprint(Renaming.permutations(b.names()), true);
        int checked = 0;
        int ties = 0;
        for (Policy p : Policies.ALL) {
            Set<World> worlds = reachable(new Spec(p, b.geometry()), b, 4);
            Map<Long, Long> signatureToPlain = new HashMap<>();
            Map<Long, Long> plainToSignature = new HashMap<>();
            for (World w : worlds) {
                long signature = fp.of(w);
                long plain = fp.smallestOverEveryPermutation(w);
                assertThat(signatureToPlain.computeIfAbsent(signature, k -> plain)).as("%s: one fingerprint, two classes", p.name())
                        .isEqualTo(plain);
                assertThat(plainToSignature.computeIfAbsent(plain, k -> signature)).as("%s: one class, two fingerprints", p.name())
                        .isEqualTo(signature);
                checked++;
            }
            ties += worlds.size() - signatureToPlain.size();
        }
        assertThat(checked).as("worlds compared").isGreaterThan(10_000);
        assertThat(ties).as("worlds merged with another (a renaming, or renumbered lineages)").isGreaterThan(0);
    }

    /** Every world reachable within {@code depth} steps (breadth first, by equality of worlds). */
    private static Set<World> reachable(Spec spec, Bounds b, int depth) {
        Set<World> seen = new LinkedHashSet<>(Explorer.initialWorlds(b).asJava());
        java.util.List<World> frontier = new ArrayList<>(seen);
        var actions = b.actions();
        var alphabet = b.alphabet();
        for (int d = 0; d < depth; d++) {
            java.util.List<World> next = new ArrayList<>();
            for (World w : frontier) {
                for (Action a : actions) {
                    var t = dev.bitmig.model.Next.tried(alphabet, w, a) ? spec.apply(w, a).successor()
                            : io.vavr.control.Option.<World>none();
                    if (t.isDefined() && seen.add(t.get().withLosses(io.vavr.collection.List.empty()))) {
                        next.add(t.get().withLosses(io.vavr.collection.List.empty()));
                    }
                }
            }
            frontier = next;
        }
        return seen;
    }
}
