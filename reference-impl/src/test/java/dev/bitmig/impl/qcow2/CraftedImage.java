package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;

/** Builds valid images with {@link Qcow2Image} and edits their bytes, for tests of the reader's limits. */
final class CraftedImage {

    private CraftedImage() {
    }

    /** A fresh image of {@code disk} bytes with {@code bitmaps} stored. */
    static byte[] withBitmaps(long disk, int clusterBits, Qcow2Bitmap... bitmaps) throws IOException {
        MemoryWriteLayer mem = new MemoryWriteLayer();
        try (Qcow2Image img = Qcow2Image.create(mem, disk, clusterBits)) {
            if (bitmaps.length > 0) {
                img.storeBitmaps(List.of(bitmaps), Set.of());
            }
        }
        return mem.toByteArray();
    }

    /** A copy of {@code image} changed by {@code edit} (big-endian, as qcow2 metadata is). */
    static byte[] edited(byte[] image, Consumer<ByteBuffer> edit) {
        byte[] copy = image.clone();
        edit.accept(ByteBuffer.wrap(copy));
        return copy;
    }

    /** A copy of {@code image} cut or zero-extended to {@code length} bytes. */
    static byte[] resized(byte[] image, long length) {
        return Arrays.copyOf(image, Math.toIntExact(length));
    }

    static Qcow2Image open(byte[] image) throws IOException {
        return Qcow2Image.open(new MemoryWriteLayer(image));
    }

    /** Opens {@code image} and reads every bitmap that is not IN_USE; returns the names read. */
    static List<String> openAndReadAll(byte[] image) throws IOException {
        try (Qcow2Image img = open(image)) {
            for (BitmapDirectoryEntry e : img.bitmaps()) {
                if (!e.inUse()) {
                    img.readBitmap(e.name());
                }
            }
            return img.bitmaps().stream().map(BitmapDirectoryEntry::name).toList();
        }
    }

    /** Expects opening and reading {@code image} to fail with a {@link Qcow2FormatException}. */
    static AbstractThrowableAssert<?, ? extends Throwable> rejecting(byte[] image) {
        return assertThatThrownBy(() -> openAndReadAll(image)).isInstanceOf(Qcow2FormatException.class);
    }

    /**
     * A copy of an image with 512-byte clusters whose refcount table (one cluster, 64 entries) points to 64 refcount
     * blocks that count every cluster they cover as used: the first free cluster lies beyond what the table covers.
     */
    static byte[] withFullRefcountTable(byte[] image) {
        int cs = 512;
        ByteBuffer header = ByteBuffer.wrap(image);
        if (header.getInt(20) != 9 || header.getInt(56) != 1) {
            throw new IllegalArgumentException("needs 512-byte clusters and a one-cluster refcount table");
        }
        int reftable = (int) header.getLong(48);
        int first = image.length / cs;
        byte[] out = Arrays.copyOf(image, image.length + 63 * cs);
        ByteBuffer b = ByteBuffer.wrap(out);
        for (int i = 0; i < 64; i++) {
            long block = i == 0 ? b.getLong(reftable) : (long) (first + i - 1) * cs;
            b.putLong(reftable + 8 * i, block);
            for (int k = 0; k < cs / 2; k++) {
                b.putShort((int) block + 2 * k, (short) 1);
            }
        }
        return out;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
