package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;

/**
 * The migration from SOURCE to TARGET over the shared image.
 *
 * @param capability       the dirty-bitmaps capability is on (both sides)
 * @param handedOver       the source has inactivated: failure from here on is "after handover"
 * @param sourceWasRunning the source VM ran when it was stopped for handover, so failure restarts it
 * @param riding           bitmaps selected into the stream at setup (migration/block-dirty-bitmap.c)
 * @param enabledAtStart   riding bitmaps whose START record carried the ENABLED flag
 * @param error            the error of a failed migration, as query-migrate reports it
 */
public record Migration(Phase phase, boolean capability, boolean handedOver, boolean sourceWasRunning,
                        SortedSet<String> riding, SortedSet<String> enabledAtStart, Option<String> error) {

    public static final Migration NONE =
            new Migration(Phase.NONE, false, false, false, TreeSet.empty(), TreeSet.empty(), Option.none());

    public boolean isActive() {
        return phase == Phase.ACTIVE;
    }

    /** migrate: a new migration starts; what the previous one left is forgotten. */
    public static Migration started(boolean capability, SortedSet<String> riding, SortedSet<String> enabledAtStart) {
        return new Migration(Phase.ACTIVE, capability, false, false, riding, enabledAtStart, Option.none());
    }

    public Migration withPhase(Phase p) {
        return new Migration(p, capability, handedOver, sourceWasRunning, riding, enabledAtStart, error);
    }

    public Migration handover(boolean wasRunning) {
        return new Migration(phase, capability, true, wasRunning, riding, enabledAtStart, error);
    }

    public Migration failed(String why) {
        return new Migration(Phase.FAILED, capability, handedOver, sourceWasRunning, riding, enabledAtStart, Option.some(why));
    }
}
