package dev.bitmig.impl;

import java.util.Optional;

/** A rejected action, carrying QEMU's error text. Thrown only by a guard, before anything changed. */
final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private Rejection(String reason) {
        super(reason, null, false, false);
    }

    static void reject(String reason) {
        throw new Rejection(reason);
    }

    static void rejectIf(Optional<String> reason) {
        reason.ifPresent(Rejection::reject);
    }
}
