package dev.bitmig.impl.qcow2.differential;

/**
 * Something QEMU and bitmig do not agree on after a history. {@code kind} names what was compared (shrinking keeps
 * a history only while a disagreement of the same kind remains); {@code detail} says how the two differ.
 */
record Disagreement(Kind kind, String detail) {

    enum Kind {
        /** The readers disagree on whether the image opens or on a bitmap. */
        READERS,
        /** qemu-img check finds something wrong with the image. */
        CHECK,
        /** qemu-img info lists other entries than bitmig reads. */
        INFO,
        /** A bitmap qemu-img merged into a fresh bitmap does not hold the bits bitmig read. */
        MERGE,
        /** A history could not be played or judged: a QEMU died or hung, a tool could not be run. */
        FAILURE
    }

    @Override
    public String toString() {
        return kind + ": " + detail;
    }
}
