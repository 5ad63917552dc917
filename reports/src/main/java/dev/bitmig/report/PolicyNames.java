package dev.bitmig.report;

import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import io.vavr.collection.List;
import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.Locale;

/** Policy names on the command line: case does not matter, and a near miss gets a "did you mean …?". */
final class PolicyNames {
    private PolicyNames() {
    }

    /** The furthest a name may be from a policy's, in edits, to be suggested. */
    static final int NEAR = 4;

    static List<Policy> select(String name, boolean all) {
        if (all && name != null) {
            throw new Main.BadInput("give --policy NAME or --all, not both");
        }
        if (all) {
            return Policies.ALL;
        }
        if (name == null) {
            throw new Main.BadInput("give --policy NAME or --all; policies: " + Policies.names().mkString(", "));
        }
        return List.of(lookup(name));
    }

    static Policy lookup(String name) {
        String wanted = name.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        var exact = Policies.ALL.find(p -> p.name().equals(wanted));
        if (exact.isDefined()) {
            return exact.get();
        }
        if (wanted.equals("QEMU_UPSTREAM")) {
            // Renamed when the model gained its version axis: one row per QEMU release.
            throw new Main.BadInput("unknown policy \"" + Main.oneLine(name) + "\"; QEMU_UPSTREAM is now QEMU_7_2 and "
                    + "QEMU_10_0, one per QEMU release; valid policies: " + Policies.names().mkString(", "));
        }
        LevenshteinDistance d = LevenshteinDistance.getDefaultInstance();
        var near = Policies.ALL.minBy((a, b) -> Integer.compare(d.apply(wanted, a.name()), d.apply(wanted, b.name())))
                .filter(p -> d.apply(wanted, p.name()) <= NEAR);
        throw new Main.BadInput("unknown policy \"" + Main.oneLine(name) + "\""
                + near.map(p -> "; did you mean " + p.name() + "?").getOrElse("")
                + " valid policies: " + Policies.names().mkString(", "));
    }
}
