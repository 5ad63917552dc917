package dev.bitmig.check;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer with the encodings the explorer's state encodings share: varints, strings, raw bytes. */
class ByteWriter {
    byte[] buf = new byte[256];
    int n;

    void put(int b) {
        ensure(1);
        buf[n++] = (byte) b;
    }

    void bool(boolean b) {
        put(b ? 1 : 0);
    }

    void varint(int v) {
        while ((v & ~0x7f) != 0) {
            put((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        put(v);
    }

    void varlong(long v) {
        while ((v & ~0x7fL) != 0) {
            put((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        put((int) v);
    }

    /** A string as its UTF-8 length and bytes. */
    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(b.length);
        raw(b);
    }

    /** Bytes as they are, with no length. */
    void raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, n, b.length);
        n += b.length;
    }

    void ensure(int more) {
        if (n + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }
    }

    byte[] buffer() {
        return buf;
    }

    int length() {
        return n;
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, n);
    }
}
