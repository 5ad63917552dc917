package dev.bitmig.check;

import dev.bitmig.model.NodeId;
import dev.bitmig.model.World;
import io.vavr.collection.List;

/** The first fields where two worlds differ, for a readable disagreement. */
public final class WorldDiff {
    private WorldDiff() {
    }

    public static String between(World model, World impl) {
        List<String> diffs = List.empty();
        if (!model.image().equals(impl.image())) {
            diffs = diffs.append("image: model " + model.image() + " vs implementation " + impl.image());
        }
        for (NodeId id : NodeId.values()) {
            if (!model.node(id).equals(impl.node(id))) {
                diffs = diffs.append(id.lower() + ": model " + model.node(id) + " vs implementation " + impl.node(id));
            }
        }
        if (!model.migration().equals(impl.migration())) {
            diffs = diffs.append("migration: model " + model.migration() + " vs implementation " + impl.migration());
        }
        return diffs.isEmpty() ? "(no field differs)" : diffs.mkString("; ");
    }
}
