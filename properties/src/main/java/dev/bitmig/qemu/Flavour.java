package dev.bitmig.qemu;

/**
 * Who the operations are for. The two agree on most actions; where they do not, {@link QemuTable} says so in the
 * action's own entry, so that every disagreement stands in one place.
 */
public enum Flavour {
    /**
     * For a person at two QMP sockets of a QEMU with blockdev-set-active. No generated artifact renders it any more
     * (the report's QMP script section gave way to the Python reproducer); the table keeps its entries.
     */
    SCRIPT,
    /**
     * The live runner on QEMU 7.2, which has no blockdev-set-active and holds migrations with signals; the Python
     * reproducer and the qemu-iotests test of the report execute the same operations with the same holds.
     */
    LIVE
}
