package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.vavr.control.Either;

/** What QEMU 2.12 / 3.0 did, as the 2018 thread describes it (historical bug H1). */
public record Qemu212Policy() implements Policy {

    /** The policy's state: the bitmaps whose persistent flag the last migration setup cleared. */
    public record Depersisted(SortedSet<String> names) implements PolicyState {
        public static SortedSet<String> in(World w) {
            return w.policyState() instanceof Depersisted d ? d.names() : TreeSet.empty();
        }

        public static World with(World w, SortedSet<String> names) {
            return w.withPolicyState(names.isEmpty() ? PolicyState.NONE : new Depersisted(names));
        }
    }

    @Override
    public String name() {
        return "QEMU_2_12";
    }

    /** 2.12 had neither blockdev-set-active nor late block activation: the same rules as 7.2 here. */
    @Override
    public Release release() {
        return Release.QEMU_7_2;
    }

    @Override
    public String description() {
        return "What QEMU 2.12 and 3.0 did. With the capability, migration setup clears the persistent flag of "
                + "the migrated bitmaps on the source, so that inactivation does not store them; inactivation stores "
                + "the persistent bitmaps and then releases every persistent bitmap from RAM. If the migration fails "
                + "and the source resumes, the migrated bitmaps survive only as transient bitmaps: they are never "
                + "stored again (the thread's opening problem).";
    }

    /** 2.12 migration/block-dirty-bitmap.c (seed thread): "persistance flag is dropped for all migrated bitmaps". */
    @Override
    public World onMigrationStart(World w, SortedSet<String> selected) {
        Node source = w.node(NodeId.SOURCE);
        SortedSet<String> persistent = selected.filter(n -> source.bitmaps().get(n).exists(Bitmap::persistent));
        World next = Persistence.updateAll(w, NodeId.SOURCE, selected, b -> b.withBusy(true).withPersistent(false));
        return Depersisted.with(next, persistent);
    }

    /** 2.10-3.0 block.c bdrv_inactivate_recurse: store, then bdrv_release_persistent_dirty_bitmaps releases them all. */
    @Override
    public Either<String, World> onInactivate(World w, NodeId node, Geometry geometry) {
        return Persistence.store(w, node, true).map(next -> {
            Node n = next.node(node);
            return next.withNode(node, n.withBitmaps(n.bitmaps().filter((name, b) -> !b.persistent())));
        });
    }

    /** 2.12 qcow2_co_invalidate_cache: reopen and load; nothing restores the cleared persistent flag. */
    @Override
    public Either<String, World> onActivate(World w, NodeId node, Geometry geometry) {
        return Persistence.load(w, node);
    }
}
