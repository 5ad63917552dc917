package dev.bitmig.impl.qcow2;

import java.io.IOException;

/**
 * Wraps a {@link WriteLayer}, counts writes, bytes written and flushes, and can "crash": after {@link #crashAfter(long)} writes
 * have gone through, the next write throws {@link SimulatedCrash} without reaching the device, and so does every
 * later write or flush. Reads keep working.
 */
public final class CrashingWriteLayer implements WriteLayer {
    private final WriteLayer inner;
    private long writes;
    private long bytes;
    private long flushes;
    private long budget = Long.MAX_VALUE;
    private boolean crashed;

    public CrashingWriteLayer(WriteLayer inner) {
        this.inner = inner;
    }

    /** Lets the first {@code n} writes (counted since this layer was made) through, then crashes. */
    public CrashingWriteLayer crashAfter(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative write budget " + n);
        }
        this.budget = n;
        return this;
    }

    /** The wrapped layer. */
    public WriteLayer inner() {
        return inner;
    }

    /** Number of writes that reached the device. */
    public long writes() {
        return writes;
    }

    /** Number of bytes that reached the device. */
    public long bytesWritten() {
        return bytes;
    }

    /** Number of flushes that reached the device. */
    public long flushes() {
        return flushes;
    }

    public boolean crashed() {
        return crashed;
    }

    @Override
    public long length() throws IOException {
        return inner.length();
    }

    @Override
    public void read(long offset, byte[] dst, int off, int len) throws IOException {
        inner.read(offset, dst, off, len);
    }

    @Override
    public void write(long offset, byte[] src, int off, int len) throws IOException {
        if (crashed || writes >= budget) {
            crashed = true;
            throw new SimulatedCrash("simulated crash: write " + (writes + 1) + " at offset 0x"
                    + Long.toHexString(offset) + " dropped");
        }
        inner.write(offset, src, off, len);
        writes++;
        bytes += len;
    }

    @Override
    public void flush() throws IOException {
        if (crashed) {
            throw new SimulatedCrash("simulated crash: flush dropped");
        }
        inner.flush();
        flushes++;
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
