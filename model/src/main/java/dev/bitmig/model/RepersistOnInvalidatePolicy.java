package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Either;

/** QEMU 2.12 plus the seed thread's fix "[1]": make the bitmaps persistent again on invalidate. */
public record RepersistOnInvalidatePolicy() implements Policy {
    private static final Qemu212Policy BASE = new Qemu212Policy();

    @Override
    public String name() {
        return "REPERSIST_ON_INVALIDATE";
    }

    @Override
    public String description() {
        return "QEMU 2.12 plus the thread's fix [1]: \"just make bitmaps persistent again on invalidate\". Migration "
                + "setup clears the persistent flag of the migrated bitmaps and remembers which ones it cleared; when "
                + "the source is activated again (a failed or cancelled migration, or cont after success) those "
                + "bitmaps become persistent again. Nothing checks whether the image changed while the source was "
                + "inactive.";
    }

    @Override
    public World onMigrationStart(World w, SortedSet<String> selected) {
        return BASE.onMigrationStart(w, selected);
    }

    @Override
    public Either<String, World> onInactivate(World w, NodeId node, Geometry geometry) {
        return BASE.onInactivate(w, node, geometry);
    }

    /** Seed thread, fix [1]: on the source's invalidate the bitmaps the migration de-persisted are persistent again. */
    @Override
    public Either<String, World> onActivate(World w, NodeId node, Geometry geometry) {
        return BASE.onActivate(w, node, geometry).map(next -> {
            if (node != NodeId.SOURCE) {
                return next;
            }
            SortedSet<String> depersisted = Qemu212Policy.Depersisted.in(next);
            World restored = Persistence.updateAll(next, node, depersisted, b -> b.withPersistent(true));
            return Qemu212Policy.Depersisted.with(restored, io.vavr.collection.TreeSet.empty());
        });
    }
}
