package dev.bitmig.impl.qcow2.differential;

import java.util.List;

/**
 * A replayable history for bitmig to write: the seed that generated it, which of bitmig's writers plays it
 * ({@link Writer#IMAGE}: {@code Qcow2Image} directly, any cluster size; {@link Writer#STORE}: the
 * {@code Qcow2ImageStore} the checker uses, 64 KiB clusters) and its steps.
 */
record BitmigHistory(long seed, Writer writer, List<BitmigStep> steps) {

    enum Writer { IMAGE, STORE }

    BitmigHistory {
        steps = List.copyOf(steps);
    }
}
