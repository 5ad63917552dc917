package dev.bitmig.impl.stream;

/** The encoder cannot produce a valid stream for its input (for example, a chunk size of zero sectors). */
public class StreamEncodingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StreamEncodingException(String message) {
        super(message);
    }
}
