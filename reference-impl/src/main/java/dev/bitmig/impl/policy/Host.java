package dev.bitmig.impl.policy;

import dev.bitmig.impl.Fault;
import dev.bitmig.impl.MigrationState;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.model.NodeId;

import java.util.Set;

/** What a policy may touch: the two nodes, the image, the disk, the migration and the seeded faults. */
public interface Host {
    BlockNode node(NodeId id);

    ImageStore image();

    Disk disk();

    MigrationState migration();

    Set<Fault> faults();

    default boolean has(Fault f) {
        return faults().contains(f);
    }
}
