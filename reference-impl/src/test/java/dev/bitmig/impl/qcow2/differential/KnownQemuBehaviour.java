package dev.bitmig.impl.qcow2.differential;

/**
 * Disagreements that are QEMU's documented or deliberate behaviour rather than a bitmig bug; each one is a finding
 * in reference-impl/DIFFERENTIAL.md. Anything not explained here fails the test.
 */
final class KnownQemuBehaviour {
    private KnownQemuBehaviour() {
    }

    static boolean explains(Disagreement d) {
        return false;
    }
}
