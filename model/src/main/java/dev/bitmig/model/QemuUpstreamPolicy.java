package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Either;

/**
 * What QEMU 3.1+ does (9c98f145df and its follow-ups): rules R1-R15 of the semantics notes, on the block-activation
 * rules of one release: QEMU_7_2 and QEMU_10_0 are this policy on 7.2 and on 10.0.
 */
public record QemuUpstreamPolicy(Release release) implements Policy {

    @Override
    public String name() {
        return "QEMU_" + release.version().replace('.', '_');
    }

    @Override
    public String description() {
        return "What QEMU " + release.version() + " does (" + (release.hasBlockdevSetActive()
                ? "blockdev-set-active; an incoming VM activates only when it runs"
                : "no blockdev-set-active; an incoming VM activates when its migration completes")
                + "). Migration setup marks the selected bitmaps busy and skip_store (R6); "
                + "inactivation stores every persistent bitmap that is not skip_store, inconsistent or readonly, then "
                + "releases what it stored (R2); activation loads the image's entries, skipping IN_USE entries whose "
                + "name is already in RAM, loading other IN_USE entries as inconsistent (R3), and then clears "
                + "skip_store on every bitmap of the node (R6). Transient and skip_store bitmaps stay in RAM "
                + "across inactivation without any check that the image changed meanwhile.";
    }

    /** R6 (migration/block-dirty-bitmap.c init_dirty_bitmap_migration): busy for the migration, skip_store until activation. */
    @Override
    public World onMigrationStart(World w, SortedSet<String> selected) {
        return Persistence.updateAll(w, NodeId.SOURCE, selected, b -> b.withBusy(true).withSkipStore(true));
    }

    /** R2 (block/qcow2.c qcow2_inactivate): store, then release the stored bitmaps. */
    @Override
    public Either<String, World> onInactivate(World w, NodeId node, Geometry geometry) {
        return Persistence.store(w, node, true);
    }

    /** R3 + R6 (block.c bdrv_activate, block/qcow2.c qcow2_co_invalidate_cache): reload, then clear skip_store. */
    @Override
    public Either<String, World> onActivate(World w, NodeId node, Geometry geometry) {
        return Persistence.load(w, node).map(next -> Persistence.resetSkipStore(next, node));
    }
}
