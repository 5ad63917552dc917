package dev.bitmig.impl.policy;

import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.model.CanaryDirtyAddsPolicy;
import dev.bitmig.model.CanaryPolicy;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.RunState;

import java.util.List;

/**
 * CANARY_MERGE, and a QEMU that activates without a canary of its own marks every bitmap the canary does not judge
 * entirely dirty: one the user added on the inactive node could record nothing (block/dirty-bitmap.c).
 */
public final class CanaryDirtyAdds extends Canary {

    public CanaryDirtyAdds(CanaryDirtyAddsPolicy p) {
        super(true, p.granularity());
    }

    @Override
    public void onActivate(Host h, NodeId node) {
        BlockNode n = h.node(node);
        if (!armed(node)) {
            // The canary judges the migrated bitmaps only at completion itself; every other bitmap is blind.
            boolean atCompletion = n.run() == RunState.INMIGRATE;
            List<String> blind = n.bitmaps().keySet().stream()
                    .filter(name -> !(atCompletion && h.migration().riding.contains(name)) && !CanaryPolicy.isCanary(name))
                    .toList();
            // Judged as by a canary that cannot be trusted: entirely dirty.
            mergeInto(h, n, blind, null);
        }
        super.onActivate(h, node);
    }
}
