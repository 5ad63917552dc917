package dev.bitmig.impl.policy;

import dev.bitmig.impl.Fault;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.model.NodeId;

import java.util.ArrayList;
import java.util.List;

/** Upstream, except that inactivation drops every bitmap still live in RAM after the store. */
public final class DropOnInactivate extends QemuUpstream {
    @Override
    public void onInactivate(Host h, NodeId node) {
        Qcow2Bitmaps.store(h, node, true);
        List<String> live = new ArrayList<>();
        for (var e : h.node(node).bitmaps().entrySet()) {
            DirtyBitmap b = e.getValue();
            if (!h.has(Fault.DROP_ON_INACTIVATE_KEEPS_TRANSIENT) || b.persistent()) {
                live.add(e.getKey());
            }
        }
        Qcow2Bitmaps.drop(h, node, live);
    }
}
