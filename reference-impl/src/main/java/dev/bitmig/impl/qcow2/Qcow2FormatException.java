package dev.bitmig.impl.qcow2;

import java.io.IOException;

/**
 * The image violates the qcow2 specification or one of QEMU's limits. The message names the structure, its file
 * offset, the field and the offending value.
 */
public final class Qcow2FormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public Qcow2FormatException(String message) {
        super(message);
    }

    /** An exception whose message is {@code String.format(format, args)}. */
    static Qcow2FormatException fail(String format, Object... args) {
        return new Qcow2FormatException(String.format(format, args));
    }
}
