package dev.bitmig.check;

import dev.bitmig.model.Policy;

import java.nio.charset.StandardCharsets;

/** When the bounds' bitmap names play identical roles, so that the symmetry reduction is sound. */
final class Symmetry {
    private Symmetry() {
    }

    /**
     * Every name is tried by the same actions (dev.bitmig.model.Next), and no rule reads a name's spelling except two: the names a
     * policy reserves for its own bitmaps (Policy.reservesName) and the 255-byte limit of the migration stream
     * (init_dirty_bitmap_migration). Names on the same side of both are interchangeable.
     */
    /** The renamings of the bounds' names that the symmetry reduction (when on) may apply under this policy. */
    static io.vavr.collection.List<Renaming> renamings(Bounds b, Policy p, boolean on) {
        return on && namesAreInterchangeable(b, p) ? Renaming.permutations(b.names()) : io.vavr.collection.List.empty();
    }

    static boolean namesAreInterchangeable(Bounds b, Policy p) {
        return b.names().forAll(n -> !p.reservesName(n) && n.getBytes(StandardCharsets.UTF_8).length <= 255);
    }
}
