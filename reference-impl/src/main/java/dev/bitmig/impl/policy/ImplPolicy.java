package dev.bitmig.impl.policy;

import dev.bitmig.model.NodeId;
import dev.bitmig.model.Policy;
import dev.bitmig.model.PolicyState;

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

    /**
     * The implementation of a model policy, found by name: model policy {@code FooPolicy} is implemented by the class
     * {@code Foo} in this package, with a constructor that takes the model policy value (its configuration, such as a
     * canary's granularity) or none. So a new policy needs no registration here; a policy without an implementation is
     * checked against the model alone.
     */
    static Optional<ImplPolicy> find(Policy p) {
        String model = p.getClass().getSimpleName();
        String name = ImplPolicy.class.getPackageName() + "."
                + (model.endsWith("Policy") ? model.substring(0, model.length() - "Policy".length()) : model);
        Class<?> type;
        try {
            type = Class.forName(name, true, ImplPolicy.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
        if (!ImplPolicy.class.isAssignableFrom(type)) {
            throw new IllegalStateException(name + " implements " + p.name() + " by name but is not an ImplPolicy");
        }
        try {
            try {
                return Optional.of((ImplPolicy) type.getConstructor(p.getClass()).newInstance(p));
            } catch (NoSuchMethodException e) {
                return Optional.of((ImplPolicy) type.getConstructor().newInstance());
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + name + " for policy " + p.name() + ": " + e, e);
        }
    }

    /** Whether the policy has an implementation to check the model against. */
    static boolean exists(Policy p) {
        return find(p).isPresent();
    }

    /** The implementation of a model policy; it must have one (see {@link #find}). */
    static ImplPolicy of(Policy p) {
        return find(p).orElseThrow(() -> new IllegalArgumentException("policy " + p.name()
                + " has no implementation (model only): no class " + p.getClass().getSimpleName().replaceAll("Policy$", "")
                + " in " + ImplPolicy.class.getPackageName()));
    }
}
