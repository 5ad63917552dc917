package dev.bitmig.impl.qcow2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A memory device that logs every write ("write 0x10000+512"), flush ("flush") and close ("close"). */
final class LoggingWriteLayer implements WriteLayer {
    private final MemoryWriteLayer inner;
    private final List<String> log = new ArrayList<>();

    LoggingWriteLayer(byte[] image) {
        this.inner = new MemoryWriteLayer(image);
    }

    LoggingWriteLayer() {
        this(new byte[0]);
    }

    List<String> log() {
        return log;
    }

    byte[] toByteArray() {
        return inner.toByteArray();
    }

    @Override
    public long length() {
        return inner.length();
    }

    @Override
    public void read(long offset, byte[] dst, int off, int len) {
        inner.read(offset, dst, off, len);
    }

    @Override
    public void write(long offset, byte[] src, int off, int len) throws IOException {
        inner.write(offset, src, off, len);
        log.add("write 0x" + Long.toHexString(offset) + "+" + len);
    }

    @Override
    public void flush() {
        log.add("flush");
    }

    @Override
    public void close() {
        log.add("close");
    }
}
