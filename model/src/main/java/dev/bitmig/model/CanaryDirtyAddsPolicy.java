package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Either;
import io.vavr.control.Option;

/**
 * The canary proposal (merge variant) with one gap closed: a bitmap the user adds on the incoming QEMU before the
 * migration completes. QEMU accepts block-dirty-bitmap-add on the inactive incoming node, but that bitmap records
 * nothing until the node activates: neither the source guest's writes nor a tool's write made while both nodes were
 * inactive. The canary only judges the bitmaps that rode the stream, so the user's new bitmap stayed clean and every
 * incremental backup taken from it missed those clusters. Here a QEMU that activates without a canary of its own (the
 * incoming one, at completion or at a later cont) marks every bitmap that did not ride the stream entirely dirty: the
 * next backup from it is a full one, and nothing is missed.
 *
 * @param granularity the canary's granularity in clusters (see {@link CanaryPolicy})
 */
public record CanaryDirtyAddsPolicy(int granularity) implements Policy {

    private CanaryPolicy canary() {
        return new CanaryPolicy(true, granularity);
    }

    @Override
    public String name() {
        return "CANARY_DIRTY_ADDS";
    }

    @Override
    public String description() {
        return "CANARY_MERGE, and the incoming QEMU also judges the bitmaps the user added on it before completion: "
                + "such a bitmap could record nothing while the node was inactive (neither the source guest's writes "
                + "nor a tool's), so at activation it is marked entirely dirty, and the next backup from it is full.";
    }

    @Override
    public World onMigrationStart(World w, SortedSet<String> selected) {
        return canary().onMigrationStart(w, selected);
    }

    @Override
    public Either<String, World> onInactivate(World w, NodeId node, Geometry geometry) {
        return canary().onInactivate(w, node, geometry);
    }

    /**
     * block/dirty-bitmap.c: a bitmap created on an inactive node records no write until bdrv_activate. A node that
     * activates without a canary of its own (the incoming QEMU, at completion or at a later cont) cannot tell what
     * happened to the image meanwhile: every bitmap the canary does not judge (all but the migrated ones at completion)
     * is marked entirely dirty, then the canary judges the rest as in CANARY_MERGE.
     */
    @Override
    public Either<String, World> onActivate(World w, NodeId node, Geometry geometry) {
        if (CanaryPolicy.armed(w, node)) {
            return canary().onActivate(w, node, geometry);
        }
        // Only at completion itself does the canary judge the migrated bitmaps; a later first activation (the VM
        // was not running, migration/migration.c process_incoming_migration_bh) leaves them blind as well.
        boolean atCompletion = w.node(node).run() == RunState.INMIGRATE;
        SortedSet<String> blind = w.node(node).bitmaps().keySet().filter(name -> !reservesName(name)
                && !(atCompletion && w.migration().riding().contains(name)));
        // Judged as by a canary that cannot be trusted: entirely dirty.
        World dirty = canary().mergeInto(w, node, blind, Option.none(), geometry);
        return canary().onActivate(dirty, node, geometry);
    }

    @Override
    public World onExit(World w, NodeId node) {
        return canary().onExit(w, node);
    }

    @Override
    public boolean reservesName(String name) {
        return CanaryPolicy.isCanary(name);
    }
}
