package dev.bitmig.impl.policy;

import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.PolicyState;
import dev.bitmig.model.Qemu212Policy;
import io.vavr.collection.TreeSet;

import java.util.SortedSet;

/** QEMU 2.12/3.0: setup clears the persistent flag of migrated bitmaps; inactivation stores, then releases all persistent. */
public class Qemu212 implements ImplPolicy {
    /** The bitmaps whose persistent flag the last migration setup cleared (Qemu212Policy.Depersisted). */
    protected final java.util.TreeSet<String> depersisted = new java.util.TreeSet<>();

    @Override
    public PolicyState state() {
        return depersisted.isEmpty() ? PolicyState.NONE : new Qemu212Policy.Depersisted(TreeSet.ofAll(depersisted));
    }

    @Override
    public void restore(PolicyState state) {
        depersisted.clear();
        if (state instanceof Qemu212Policy.Depersisted d) {
            depersisted.addAll(d.names().toJavaList());
        } else {
            ImplPolicy.super.restore(state);
        }
    }

    @Override
    public void onMigrationStart(Host h, SortedSet<String> selected) {
        BlockNode source = h.node(NodeId.SOURCE);
        depersisted.clear();
        for (String name : selected) {
            DirtyBitmap b = source.bitmap(name);
            if (b == null) continue;
            if (b.persistent()) {
                depersisted.add(name);
            }
            b.setBusy(true);
            b.setPersistent(false);
        }
    }

    @Override
    public void onInactivate(Host h, NodeId node) {
        Qcow2Bitmaps.store(h, node, true);
        h.node(node).bitmaps().values().removeIf(DirtyBitmap::persistent);
    }

    @Override
    public void onActivate(Host h, NodeId node) {
        Qcow2Bitmaps.load(h, node);
    }
}
