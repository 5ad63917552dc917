package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Either;

/**
 * A policy decides what happens to bitmaps at the four hooks the 2018 thread argues about. Everything else in
 * {@link Spec} is QEMU's shared mechanics. A hook returns the next world, or the error that makes QEMU's operation
 * fail (Left). Anyone can write one: one file, registered in {@link Policies}; what it must remember between hooks is
 * its own {@link PolicyState} record, kept in the world.
 */
public interface Policy {

    /** The policy's name, as the CLI and the reports spell it. */
    String name();

    /** One paragraph: what the policy does and where it comes from. */
    String description();

    /**
     * The QEMU release whose block-activation rules the policy runs on. A proposal is a patch on today's QEMU, so the
     * default is 10.0.
     */
    default Release release() {
        return Release.QEMU_10_0;
    }

    /**
     * Migration setup: what happens to the {@code selected} source bitmaps. Called at every migrate; without the
     * dirty-bitmaps capability, or when setup fails, nothing is selected.
     */
    World onMigrationStart(World w, SortedSet<String> selected);

    /** The node gives up the image: what is stored, released, kept or dropped. */
    Either<String, World> onInactivate(World w, NodeId node, Geometry geometry);

    /** The node takes the image back (QEMU's invalidate): what is loaded, restored or judged. */
    Either<String, World> onActivate(World w, NodeId node, Geometry geometry);

    /**
     * cont on a stopped VM, after qmp_cont has activated every inactive node ("Continuing after completed migration",
     * monitor/qmp-cmds.c) and before the VM runs. None of the six policies does more than activation here: the thread's
     * fixes act at invalidate, and cont after a successful migration is exactly such an invalidate.
     */
    default Either<String, World> onCont(World w, NodeId node, Geometry geometry) {
        return Either.right(w);
    }

    /**
     * A QEMU process ended (quit, crash, or killed by a failed migration): whatever the policy remembered about it, in
     * {@link World#policyState()}, ends with it, as the process's RAM does.
     */
    default World onExit(World w, NodeId node) {
        return w;
    }

    /**
     * A bitmap name the policy keeps for its own bitmaps: migration never selects it, and the explorer never takes it
     * for a user's bitmap. QEMU reserves none.
     */
    default boolean reservesName(String name) {
        return false;
    }

    /** Lookup by name; every policy is registered in {@link Policies}. */
    static io.vavr.control.Option<Policy> byName(String name) {
        return Policies.ALL.find(p -> p.name().equals(name));
    }
}
