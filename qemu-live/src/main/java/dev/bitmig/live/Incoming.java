package dev.bitmig.live;

/** How a launched QEMU waits for an incoming migration. */
public enum Incoming {
    /** Not a migration target. */
    NONE,
    /** {@code -incoming unix:<run dir>/mig.sock}: listens from start. */
    UNIX,
    /** {@code -incoming defer}: listens only after {@link QemuProcess#migrateIncoming(String)}. */
    DEFER
}
