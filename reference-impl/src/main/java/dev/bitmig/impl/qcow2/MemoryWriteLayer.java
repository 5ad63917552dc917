package dev.bitmig.impl.qcow2;

import java.io.IOException;
import java.util.Arrays;

/** A {@link WriteLayer} over a growable byte array; handy for enumerating crash points quickly. */
public final class MemoryWriteLayer implements WriteLayer {
    /** Largest device this layer holds. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 64;

    private byte[] data;
    private int length;

    public MemoryWriteLayer() {
        this(new byte[0]);
    }

    /** A layer holding a copy of {@code image}. */
    public MemoryWriteLayer(byte[] image) {
        this.data = image.clone();
        this.length = image.length;
    }

    /** A copy of the current contents. */
    public byte[] toByteArray() {
        return Arrays.copyOf(data, length);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void read(long offset, byte[] dst, int off, int len) {
        Arrays.fill(dst, off, off + len, (byte) 0);
        if (offset < length) {
            int n = (int) Math.min(len, length - offset);
            System.arraycopy(data, (int) offset, dst, off, n);
        }
    }

    @Override
    public void write(long offset, byte[] src, int off, int len) throws IOException {
        long end = offset + len;
        if (offset < 0 || end > MAX_LENGTH) {
            throw new IOException("write beyond " + MAX_LENGTH + " bytes");
        }
        if (end > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(MAX_LENGTH, Math.max(end, 2L * data.length)));
        }
        System.arraycopy(src, off, data, (int) offset, len);
        length = (int) Math.max(length, end);
    }

    @Override
    public void flush() {
    }
}
