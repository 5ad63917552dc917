package dev.bitmig.impl.qcow2;

/**
 * Thrown by {@link CrashingWriteLayer} when its write budget is exhausted: the write that throws did not reach the
 * image, and neither does any later write or flush. An image object that saw this exception must be discarded.
 */
public final class SimulatedCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SimulatedCrash(String message) {
        super(message);
    }
}
