package dev.bitmig.impl.store;

import dev.bitmig.model.NodeId;

import java.util.Optional;

/**
 * One write to the image: what was written, by which node (empty for a standalone tool) and whether that node's block
 * layer was active at that moment.
 */
public record StoreWrite(Op op, Optional<NodeId> node, boolean wasActive, String detail) {
    public enum Op { DIRECTORY, SET_IN_USE, REMOVE_ENTRY, CLEAR_AUTOCLEAR, DATA, REPLACED_BY_COPY }

    /** A QEMU node wrote while it was inactive: the image was not its to write. */
    public boolean fromInactiveNode() {
        return node.isPresent() && !wasActive;
    }
}
