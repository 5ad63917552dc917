package dev.bitmig.impl.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** A {@link WriteLayer} over a file; {@link #flush()} forces data and metadata to the storage device. */
public final class FileWriteLayer implements WriteLayer {
    private final FileChannel channel;
    private final boolean writable;

    private FileWriteLayer(FileChannel channel, boolean writable) {
        this.channel = channel;
        this.writable = writable;
    }

    public static FileWriteLayer openReadOnly(Path path) throws IOException {
        return new FileWriteLayer(FileChannel.open(path, StandardOpenOption.READ), false);
    }

    public static FileWriteLayer openReadWrite(Path path) throws IOException {
        return new FileWriteLayer(FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE), true);
    }

    /** Creates the file, which must not exist yet. */
    public static FileWriteLayer createNew(Path path) throws IOException {
        return new FileWriteLayer(FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW), true);
    }

    @Override
    public long length() throws IOException {
        return channel.size();
    }

    @Override
    public void read(long offset, byte[] dst, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(dst, off, len);
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                Arrays.fill(dst, buf.position(), off + len, (byte) 0);
                return;
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, byte[] src, int off, int len) throws IOException {
        if (!writable) {
            throw new IOException("image opened read-only");
        }
        ByteBuffer buf = ByteBuffer.wrap(src, off, len);
        long pos = offset;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
    }

    @Override
    public void flush() throws IOException {
        if (writable) {
            channel.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
