package dev.bitmig.live;

/** No reply (or no awaited event) arrived within the timeout; the process may be stopped or wedged. */
public class QmpTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QmpTimeoutException(String message) { super(message); }
}
