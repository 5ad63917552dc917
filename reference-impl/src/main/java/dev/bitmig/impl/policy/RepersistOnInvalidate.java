package dev.bitmig.impl.policy;

import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.model.NodeId;

/** 2.12 plus the thread's fix [1]: the source's activation makes the de-persisted bitmaps persistent again. */
public final class RepersistOnInvalidate extends Qemu212 {
    @Override
    public void onActivate(Host h, NodeId node) {
        super.onActivate(h, node);
        if (node != NodeId.SOURCE) {
            return;
        }
        for (String name : depersisted) {
            DirtyBitmap b = h.node(node).bitmap(name);
            if (b != null) {
                b.setPersistent(true);
            }
        }
        depersisted.clear();
    }
}
