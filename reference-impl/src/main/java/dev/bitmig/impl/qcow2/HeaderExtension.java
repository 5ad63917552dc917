package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Qcow2FormatException.fail;
import static dev.bitmig.impl.qcow2.Sizes.align8;
import static dev.bitmig.impl.qcow2.Sizes.hex;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One header extension after the fixed header fields: the bitmaps extension, which this implementation reads and
 * rewrites, or any other, which it keeps byte for byte.
 */
sealed interface HeaderExtension {

    int EXT_END = 0;
    int EXT_BITMAPS = 0x23852875;
    int EXT_FEATURE_TABLE = 0x6803f857;

    /** Appends the extension (type, length, data, padding to 8 bytes) at the buffer's position. */
    void writeTo(ByteBuffer b);

    /**
     * The bitmaps extension. {@code dataOffset} is the file offset of its data (the nb_bitmaps field) as read, 0 for
     * one about to be written.
     */
    record Bitmaps(int nbBitmaps, long directorySize, long directoryOffset, long dataOffset)
            implements HeaderExtension {

        /** Its data is 24 bytes: nb_bitmaps, 4 reserved bytes, directory size and offset (docs/interop/qcow2.txt). */
        static final int LENGTH = 24;

        @Override
        public void writeTo(ByteBuffer b) {
            b.putInt(EXT_BITMAPS).putInt(LENGTH).putInt(nbBitmaps).putInt(0).putLong(directorySize)
                    .putLong(directoryOffset);
        }
    }

    /** An extension of any other type (feature name table, backing format, ...), kept as it was read. */
    record Opaque(int type, byte[] data) implements HeaderExtension {

        @Override
        public void writeTo(ByteBuffer b) {
            b.putInt(type).putInt(data.length).put(data);
            b.position((int) align8(b.position()));
        }
    }

    /** Writes the end-of-extensions marker. */
    static void writeEnd(ByteBuffer b) {
        b.putInt(EXT_END).putInt(0);
    }

    /**
     * Parses the extensions of the header cluster {@code hc} from {@code start} up to {@code end} (the backing file
     * name or the end of the cluster), in file order; the end marker stops the walk, as in QEMU's
     * qcow2_read_extensions (block/qcow2.c).
     */
    static List<HeaderExtension> parse(ByteBuffer hc, int start, int end) throws Qcow2FormatException {
        List<HeaderExtension> out = new ArrayList<>();
        boolean bitmapsSeen = false;
        int pos = start;
        while (pos < end) {
            if (end - pos < 8) {
                throw fail("header extension at offset %s: type and length need 8 bytes, %d left in the header"
                        + " cluster", hex(pos), end - pos);
            }
            int type = hc.getInt(pos);
            long len = Integer.toUnsignedLong(hc.getInt(pos + 4));
            if (len > end - pos - 8) {
                throw fail("header extension 0x%08x at offset %s: length %d exceeds the header cluster (%d bytes"
                        + " left)", type, hex(pos), len, end - pos - 8);
            }
            int data = pos + 8;
            if (type == EXT_END) {
                break;
            }
            if (type == EXT_BITMAPS) {
                // one bitmaps extension of exactly 24 bytes (block/qcow2.c, QCOW2_EXT_MAGIC_BITMAPS)
                if (bitmapsSeen) {
                    throw fail("bitmaps extension at offset %s: duplicate bitmaps extension", hex(pos));
                }
                if (len != Bitmaps.LENGTH) {
                    throw fail("bitmaps extension at offset %s: length %d is not 24", hex(pos), len);
                }
                bitmapsSeen = true;
                out.add(new Bitmaps(hc.getInt(data), hc.getLong(data + 8), hc.getLong(data + 16), data));
            } else {
                out.add(new Opaque(type, Arrays.copyOfRange(hc.array(), data, data + (int) len)));
            }
            // extension data is padded to a multiple of 8 bytes (docs/interop/qcow2.txt)
            pos = (int) Math.min((long) end, data + align8(len));
        }
        return out;
    }
}
