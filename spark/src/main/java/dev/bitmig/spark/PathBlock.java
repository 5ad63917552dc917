package dev.bitmig.spark;

import java.io.Serializable;
import java.util.Arrays;

/** Paths of one width packed end to end in one byte array, rather than one object per state. */
final class PathBlock implements Serializable {
    private static final long serialVersionUID = 1L;
    int width;
    int size;
    byte[] data;

    PathBlock(int width, int capacity) {
        this.width = width;
        this.data = new byte[Math.max(1, width * Math.max(capacity, 1))];
    }

    int offset(int i) {
        return i * width;
    }

    void add(byte[] src, int srcOff) {
        int need = (size + 1) * width;
        if (need > data.length) {
            long grown = Math.max(need, (long) data.length * 3 / 2 + width);
            if (grown > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("more than 2 GiB of paths in one partition: give more partitions");
            }
            data = Arrays.copyOf(data, (int) grown);
        }
        System.arraycopy(src, srcOff, data, size * width, width);
        size++;
    }

    /** The same paths in an array of exactly their size (before shipping or keeping). */
    PathBlock trimmed() {
        if (data.length != size * width) {
            data = Arrays.copyOf(data, size * width);
        }
        return this;
    }

    byte[] path(int i) {
        return Arrays.copyOfRange(data, i * width, (i + 1) * width);
    }

    long bytes() {
        return data.length;
    }
}
