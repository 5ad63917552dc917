package dev.bitmig.model;

/**
 * A policy's own state: one record, which the policy defines in its own file, that travels inside the world
 * ({@link World#policyState()}) and so takes part in the world's equality and in the explorer's encoding of states.
 * Shared records (nodes, the migration, the image) hold no policy's state.
 *
 * <p>Rules for a state record: its components are booleans, numbers, enums, strings, nested records, vavr sets, sequences,
 * maps or options of those; every string in it is a bitmap name (the explorer's symmetry reduction renames bitmap
 * names, and finds them by walking the record). A policy with nothing to remember stores {@link #NONE}: every world
 * starts with it, and a policy whose state becomes empty again stores {@code NONE} rather than an empty record, so
 * that equal histories give equal worlds.
 */
public interface PolicyState {

    /** No state: the initial state of every policy. */
    PolicyState NONE = new NoState();

    /** The state of a policy that remembers nothing. */
    record NoState() implements PolicyState {
    }
}
