package dev.bitmig.impl.policy;

import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.model.NodeId;

import java.util.SortedSet;

/** QEMU 3.1+: busy + skip_store at setup (R6), store and release at inactivation (R2), load + reset skip_store (R3, R6). */
public class QemuUpstream implements ImplPolicy {

    @Override
    public void onMigrationStart(Host h, SortedSet<String> selected) {
        for (String name : selected) {
            DirtyBitmap b = h.node(NodeId.SOURCE).bitmap(name);
            if (b != null) {
                b.setBusy(true);
                b.setSkipStore(true);
            }
        }
    }

    @Override
    public void onInactivate(Host h, NodeId node) {
        Qcow2Bitmaps.store(h, node, true);
    }

    @Override
    public void onActivate(Host h, NodeId node) {
        Qcow2Bitmaps.load(h, node);
        Qcow2Bitmaps.resetSkipStore(h, node);
    }
}
