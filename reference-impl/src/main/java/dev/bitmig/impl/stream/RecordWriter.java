package dev.bitmig.impl.stream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Big-endian primitive writer that counts the bytes it writes. */
final class RecordWriter {
    private final OutputStream out;
    private long written;

    RecordWriter(OutputStream out) {
        this.out = out;
    }

    long written() {
        return written;
    }

    RecordWriter u8(int v) {
        try {
            out.write(v & 0xFF);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written++;
        return this;
    }

    RecordWriter be32(long v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            u8((int) (v >>> shift));
        }
        return this;
    }

    RecordWriter be64(long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            u8((int) (v >>> shift));
        }
        return this;
    }

    RecordWriter bytes(byte[] b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written += b.length;
        return this;
    }

    RecordWriter countedString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u8(b.length);
        return bytes(b);
    }
}
