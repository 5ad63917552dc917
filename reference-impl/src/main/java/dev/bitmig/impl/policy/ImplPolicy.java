package dev.bitmig.impl.policy;

import dev.bitmig.model.CanaryPolicy;
import dev.bitmig.model.DropOnInactivatePolicy;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Policy;
import dev.bitmig.model.PolicyState;
import dev.bitmig.model.Qemu212Policy;
import dev.bitmig.model.QemuUpstreamPolicy;
import dev.bitmig.model.RepersistOnInvalidatePolicy;

import java.util.Optional;
import java.util.SortedSet;

/**
 * The four hooks where the policies differ. Inactivation and activation come in two halves: a check that changes
 * nothing and returns the error that would make the operation fail (the raw reason, before QEMU's prefix), and the
 * effect, which the caller runs only after the check passed.
 */
public interface ImplPolicy {

    /** Migration setup: what happens to the selected source bitmaps (none without the capability or when setup fails). */
    void onMigrationStart(Host h, SortedSet<String> selected);

    /** A QEMU process ended: the policy forgets what it kept about it (the model's Policy.onExit). */
    default void onExit(NodeId node) {
    }

    /** A name the policy keeps for its own bitmaps: migration never selects it (the model's Policy.reservesName). */
    default boolean reservesName(String name) {
        return false;
    }

    /** The policy's own state, as the model keeps it ({@link PolicyState}): what the abstraction reports. */
    default PolicyState state() {
        return PolicyState.NONE;
    }

    /** Take over the policy's state from a model world (the concretization). */
    default void restore(PolicyState state) {
        if (!state.equals(PolicyState.NONE)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " keeps no state, got " + state);
        }
    }

    /** QEMU's own check (R2): a same-named entry on the image that is not IN_USE fails the store. */
    default Optional<String> checkInactivate(Host h, NodeId node) {
        return Qcow2Bitmaps.storeConflict(h, node, java.util.Set.of());
    }

    void onInactivate(Host h, NodeId node);

    /** QEMU's own check (R3): a consistent entry whose name is already in RAM fails the load. */
    default Optional<String> checkActivate(Host h, NodeId node) {
        return Qcow2Bitmaps.loadConflict(h, node);
    }

    void onActivate(Host h, NodeId node);

    /** The implementation of a model policy value (its configuration, such as a canary's granularity, is kept). */
    static ImplPolicy of(Policy p) {
        if (p instanceof Qemu212Policy) return new Qemu212();
        if (p instanceof RepersistOnInvalidatePolicy) return new RepersistOnInvalidate();
        if (p instanceof DropOnInactivatePolicy) return new DropOnInactivate();
        if (p instanceof CanaryPolicy c) return new Canary(c.merge(), c.granularity());
        if (p instanceof QemuUpstreamPolicy) return new Upstream();
        throw new IllegalArgumentException("unknown policy " + p);
    }
}
