package dev.bitmig.check;

import dev.bitmig.model.Geometry;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.World;
import io.vavr.collection.List;

/**
 * The world invariants a state violates, as a bit mask, computed once per distinct state. {@code NoSilentLoss} judges
 * a step's losses rather than a world, so it has no bit: the explorer judges it on every step.
 */
public final class Masks {
    private Masks() {
    }

    public static final List<Invariant> WORLD_INVARIANTS = List.of(Invariant.NO_UNDER_REPORT, Invariant.SINGLE_WRITER,
            Invariant.NO_LOST_DISK);

    public static int bit(Invariant i) {
        return switch (i) {
            case NO_UNDER_REPORT -> 1;
            case SINGLE_WRITER -> 2;
            case NO_SILENT_LOSS -> 0;
            case NO_LOST_DISK -> 4;
        };
    }

    public static int of(World w, Geometry g) {
        int mask = 0;
        for (Invariant i : WORLD_INVARIANTS) {
            if (!i.holds(w, g)) {
                mask |= bit(i);
            }
        }
        return mask;
    }
}
