package dev.bitmig.live;

/**
 * A qemu-io command failed. Inside QEMU (via HMP) the failure is only visible in the output text, e.g.
 * {@code write failed: Input/output error}; the standalone tool also exits non-zero.
 */
public class QemuIoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String output;

    public QemuIoException(String message, String output) {
        super(message + ": " + output.strip());
        this.output = output;
    }

    /** The complete output of the command. */
    public String output() { return output; }
}
