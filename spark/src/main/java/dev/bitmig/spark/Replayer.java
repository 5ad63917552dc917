package dev.bitmig.spark;

import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;

/**
 * Rebuilds the world at the end of a path by re-running its actions from its initial world, keeping the worlds of the
 * last path rebuilt: paths come in sorted order, so neighbours share their prefixes and most rebuilds take one step.
 */
final class Replayer {
    private final Spec spec;
    private final Action[] actions;
    private final List<World> initials;
    private World[] worlds = new World[1];
    private byte[] last = new byte[0];

    Replayer(Spec spec, Action[] actions, List<World> initials) {
        this.spec = spec;
        this.actions = actions;
        this.initials = initials;
    }

    World world(byte[] p, int off, int width) {
        int depth = StatePath.depth(width);
        if (worlds.length < depth + 1) {
            worlds = new World[depth + 1];
            last = new byte[0];
        }
        int valid = 0;
        if (last.length == width && StatePath.initial(last, 0) == StatePath.initial(p, off)) {
            valid = 1;
            while (valid <= depth && StatePath.action(last, 0, valid - 1) == StatePath.action(p, off, valid - 1)) {
                valid++;
            }
        }
        if (valid == 0) {
            worlds[0] = initials.get(StatePath.initial(p, off));
            valid = 1;
        }
        for (int k = valid - 1; k < depth; k++) {
            Action a = actions[StatePath.action(p, off, k)];
            Outcome o = spec.apply(worlds[k], a);
            if (o.successor().isEmpty()) {
                throw new IllegalStateException("a path does not replay: " + a + " gives " + o);
            }
            worlds[k + 1] = o.successor().get();
        }
        if (last.length != width) {
            last = new byte[width];
        }
        System.arraycopy(p, off, last, 0, width);
        return worlds[depth];
    }
}
