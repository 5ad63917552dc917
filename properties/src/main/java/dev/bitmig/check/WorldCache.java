package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;

/**
 * Rebuilds the world of a frontier state by re-running its actions from the root, keeping the last world rebuilt at
 * every depth: states are expanded in discovery order, so neighbours share their parents and most rebuilds take one
 * step. One per worker.
 */
final class WorldCache {
    private static final int MAX_DEPTH = 64;
    private final Spec spec;
    private final Action[] actions;
    private final List<World> roots;
    private final StateLinks links;
    private final int[] index = new int[MAX_DEPTH];
    private final World[] world = new World[MAX_DEPTH];

    WorldCache(Spec spec, Action[] actions, List<World> roots, StateLinks links) {
        this.spec = spec;
        this.actions = actions;
        this.roots = roots;
        this.links = links;
        java.util.Arrays.fill(index, -1);
    }

    World world(int s) {
        return world(s, depth(s));
    }

    private int depth(int s) {
        int d = 0;
        for (int at = s; links.parent(at) >= 0; at = links.parent(at)) {
            d++;
        }
        return d;
    }

    private World world(int s, int d) {
        if (d == 0) {
            return roots.get(s);
        }
        if (d < MAX_DEPTH && index[d] == s) {
            return world[d];
        }
        World parent = world(links.parent(s), d - 1);
        Outcome o = spec.apply(parent, actions[links.via(s)]);
        World next = o.successor().getOrElse(() -> {
            throw new IllegalStateException("state " + s + " does not replay: " + actions[links.via(s)] + " gives " + o);
        });
        if (d < MAX_DEPTH) {
            index[d] = s;
            world[d] = next;
        }
        return next;
    }
}
