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

    /**
     * True when the monitor refused the command before dispatch because its bytes arrived altered (seen on both QEMUs
     * on a loaded machine: "JSON parse error, invalid keyword 'x'", "QMP input member 'exeucte' is unexpected"), or
     * named a command that is not the one sent: it never ran (monitor/qmp.c handle_qmp_command,
     * qapi/qmp-dispatch.c qmp_dispatch_check_obj).
     */
    public boolean misread() {
        java.util.regex.Matcher m = MISREAD.matcher(desc);
        return m.lookingAt() && !command.equals(m.group(2));
    }

    private static final java.util.regex.Pattern MISREAD =
            java.util.regex.Pattern.compile("(JSON parse error|QMP input |The command (\\S+) has not been found)");

    /** QEMU's human-readable description, verbatim. */
    public String desc() { return desc; }
}
