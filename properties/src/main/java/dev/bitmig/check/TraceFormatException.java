package dev.bitmig.check;

/** A trace file that cannot be read: says what was wrong and where (a JSON path). */
public final class TraceFormatException extends Exception {
    public TraceFormatException(String message) {
        super(message);
    }

    public TraceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
