package dev.bitmig.impl.qcow2;

import java.io.Closeable;
import java.io.IOException;

/** The byte device under an image. Every read, write and flush of {@link Qcow2Image} goes through one of these. */
public interface WriteLayer extends Closeable {

    /** Current length of the device in bytes. */
    long length() throws IOException;

    /** Reads exactly {@code len} bytes; bytes beyond the end of the device read as zero. */
    void read(long offset, byte[] dst, int off, int len) throws IOException;

    /** Writes {@code len} bytes, extending the device when needed. Counts as one write. */
    void write(long offset, byte[] src, int off, int len) throws IOException;

    /** Makes every earlier write durable. */
    void flush() throws IOException;

    default byte[] read(long offset, int len) throws IOException {
        byte[] b = new byte[len];
        read(offset, b, 0, len);
        return b;
    }

    default void write(long offset, byte[] src) throws IOException {
        write(offset, src, 0, src.length);
    }

    @Override
    default void close() throws IOException {
    }
}
