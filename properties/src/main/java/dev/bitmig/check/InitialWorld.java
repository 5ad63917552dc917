package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;

/** The named worlds a search or a trace starts from. */
public enum InitialWorld {
    /** A running source on a fresh image; the target waits with -incoming. */
    TARGET_WAITING,
    /**
     * The thread's starting point: the source's persistent enabled bitmap (the first name, the first granularity) was
     * stored by a clean quit and loaded again, so the image holds an IN_USE entry; the target waits with -incoming.
     * Bounds whose first name or granularity QEMU refuses cannot build it (IllegalArgumentException).
     */
    BITMAP_LOADED;

    public World build(Bounds b) {
        World waiting = World.initialWithIncomingTarget(b.geometry());
        if (this == TARGET_WAITING) {
            return waiting;
        }
        Spec upstream = new Spec(Policies.QEMU_10_0, b.geometry());
        World w = World.initial(b.geometry());
        for (Action a : fromRunningSource(b)) {
            if (!(upstream.apply(w, a) instanceof Outcome.Next next)) { // building an initial world never fails
                throw new IllegalArgumentException(this + " cannot be built: " + a + " is rejected: "
                        + upstream.apply(w, a));
            }
            w = next.world();
        }
        return w.withLosses(List.empty());
    }

    public static List<World> all(Bounds b) {
        return List.of(values()).map(i -> i.build(b));
    }

    /**
     * The steps that reach this world from {@code World.initial} (a running source on a fresh image): what a run on
     * real QEMU performs before a counterexample's own actions.
     */
    public List<Action> fromRunningSource(Bounds b) {
        List<Action> launchTarget = List.of(new Action.Launch(NodeId.TARGET, true));
        if (this == TARGET_WAITING) {
            return launchTarget;
        }
        return List.<Action>of(new Action.BitmapAdd(NodeId.SOURCE, b.names().head(), b.granularities().head(), true, false),
                new Action.Quit(NodeId.SOURCE), new Action.Launch(NodeId.SOURCE, false)).appendAll(launchTarget);
    }
}
