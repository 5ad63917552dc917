package dev.bitmig.model;

/**
 * A persistent user bitmap stopped being available: no consistent copy in RAM on a running QEMU, and no entry on the
 * image that would load as consistent.
 *
 * @param lineage  ghost id of the lost bitmap
 * @param needless a policy dropped it although it still covered its truth
 */
public record Loss(int lineage, String bitmap, Cause cause, boolean needless) {
}
