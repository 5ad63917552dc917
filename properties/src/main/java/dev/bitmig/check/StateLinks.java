package dev.bitmig.check;

import it.unimi.dsi.fastutil.ints.IntArrayList;

/**
 * For every state that will be expanded, in discovery order: the state it was first reached from and by which action
 * (for a root: -1 and its initial world's index), and its invariant mask, packed below the action. Two primitive
 * arrays, eight bytes a state.
 */
final class StateLinks {
    private final IntArrayList parent = new IntArrayList();
    private final IntArrayList via = new IntArrayList();

    void add(int parentState, int action, int invariantMask) {
        parent.add(parentState);
        via.add(action << 3 | invariantMask);
    }

    int size() {
        return parent.size();
    }

    int parent(int s) {
        return parent.getInt(s);
    }

    int via(int s) {
        return via.getInt(s) >>> 3;
    }

    int mask(int s) {
        return via.getInt(s) & 7;
    }

    /** Bytes held, at the arrays' capacity. */
    long bytes() {
        return (long) parent.elements().length * 4 + (long) via.elements().length * 4;
    }

    /** Bytes each further state will take. */
    static final int BYTES_PER_STATE = 8;
}
