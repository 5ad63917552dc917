package dev.bitmig.live;

/** The QEMU process behind a QMP connection exited or closed its socket. */
public class QemuGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QemuGoneException(String message) { super(message); }

    public QemuGoneException(String message, Throwable cause) { super(message, cause); }
}
