package dev.bitmig.qemu;

/**
 * Who the operations are for. The three agree on most actions; where they do not, {@link QemuTable} says so in the
 * action's own entry, so that every disagreement stands in one place.
 */
public enum Flavour {
    /** The QMP/HMP/shell reproducer of a counterexample, for a person at two QMP sockets. */
    SCRIPT,
    /** The qemu-iotests skeleton (tests/qemu-iotests/iotests.py drives the VMs). */
    IOTEST,
    /** The live runner on QEMU 7.2, which has no blockdev-set-active and holds migrations with signals. */
    LIVE
}
