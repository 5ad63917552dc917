package dev.bitmig.impl.policy;

import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.model.NodeId;

import java.util.SortedSet;

/** QEMU 2.12/3.0: setup clears the persistent flag of migrated bitmaps; inactivation stores, then releases all persistent. */
public class Qemu212 implements ImplPolicy {

    @Override
    public void onMigrationStart(Host h, SortedSet<String> selected) {
        BlockNode source = h.node(NodeId.SOURCE);
        h.migration().depersisted.clear();
        for (String name : selected) {
            DirtyBitmap b = source.bitmap(name);
            if (b == null) continue;
            if (b.persistent()) {
                h.migration().depersisted.add(name);
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
