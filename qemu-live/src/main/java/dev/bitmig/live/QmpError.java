package dev.bitmig.live;

/** An {@code {"error": {"class": ..., "desc": ...}}} reply from QEMU to a QMP command. */
public class QmpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String command;
    private final String errorClass;
    private final String desc;

    public QmpError(String command, String errorClass, String desc) {
        super(command + " failed: " + errorClass + ": " + desc);
        this.command = command;
        this.errorClass = errorClass;
        this.desc = desc;
    }

    /** The QMP command that failed. */
    public String command() { return command; }

    /** QEMU's error class, e.g. {@code GenericError} or {@code DeviceNotFound}. */
    public String errorClass() { return errorClass; }

    /** QEMU's human-readable description, verbatim. */
    public String desc() { return desc; }
}
