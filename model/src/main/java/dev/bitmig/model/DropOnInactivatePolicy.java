package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Either;

/** The thread's reply: "dropping all live bitmaps upon inactivate sounds reasonable". */
public record DropOnInactivatePolicy() implements Policy {
    private static final QemuUpstreamPolicy BASE = new QemuUpstreamPolicy(Release.QEMU_10_0);

    @Override
    public String name() {
        return "DROP_ON_INACTIVATE";
    }

    @Override
    public String description() {
        return "The thread's reply (Fam Zheng): inactivation first stores what QEMU would store, then drops every "
                + "bitmap still live in RAM: transient ones and the skip_store ones riding in the migration stream. "
                + "Activation reloads the persistent bitmaps from the image. Safe, because an inactive node keeps "
                + "nothing that could go stale; costly, because a failed migration with the capability loses the "
                + "migrated bitmaps (their image entries are stale IN_USE entries and load as inconsistent).";
    }

    @Override
    public World onMigrationStart(World w, SortedSet<String> selected) {
        return BASE.onMigrationStart(w, selected);
    }

    /** Seed thread reply: store as R2, then drop every live bitmap (documented loss). */
    @Override
    public Either<String, World> onInactivate(World w, NodeId node, Geometry geometry) {
        return Persistence.store(w, node, true)
                .map(next -> Persistence.drop(next, node, next.node(node).bitmaps().keySet(), geometry));
    }

    /** Seed thread reply: "we could reload the persistent bitmaps" (R3 + R6). */
    @Override
    public Either<String, World> onActivate(World w, NodeId node, Geometry geometry) {
        return BASE.onActivate(w, node, geometry);
    }
}
