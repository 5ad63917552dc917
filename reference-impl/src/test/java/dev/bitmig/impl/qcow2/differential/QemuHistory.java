package dev.bitmig.impl.qcow2.differential;

import java.util.List;

/** A replayable history for QEMU to write: the seed that generated it and its steps. */
record QemuHistory(long seed, List<QemuStep> steps) {
    QemuHistory {
        steps = List.copyOf(steps);
    }
}
