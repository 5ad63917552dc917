package dev.bitmig.impl;

/**
 * QEMU reported an error after the step had already changed the state: a failed reactivation leaves the node without
 * its medium (block/qcow2.c qcow2_co_invalidate_cache). Thrown only after the effect.
 */
final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private Failure(String reason) {
        super(reason, null, false, false);
    }

    static void fail(String reason) {
        throw new Failure(reason);
    }
}
