package dev.bitmig.impl.qcow2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One bitmap directory entry as found in the image. {@code offset} is where the entry itself lies in the file.
 */
public record BitmapDirectoryEntry(String name, long tableOffset, int tableSize, int flags, int type,
        int granularityBits, long offset) {

    public static final int FLAG_IN_USE = 1;
    public static final int FLAG_AUTO = 2;
    /** Flags QEMU rejects (it treats bit 2, extra_data_compatible, as reserved too). */
    public static final int RESERVED_FLAGS = 0xfffffffc;
    public static final int TYPE_DIRTY_TRACKING = 1;
    /** Bytes of an entry before its name: table offset and size, flags, type, granularity, name size, extra size. */
    static final int FIXED_SIZE = 24;

    public boolean inUse() {
        return (flags & FLAG_IN_USE) != 0;
    }

    public boolean auto() {
        return (flags & FLAG_AUTO) != 0;
    }

    public long granularity() {
        return 1L << granularityBits;
    }

    BitmapDirectoryEntry withFlags(int newFlags) {
        return new BitmapDirectoryEntry(name, tableOffset, tableSize, newFlags, type, granularityBits, offset);
    }

    /** Bytes the entry takes in the directory: fixed part and name, padded to 8 (block/qcow2-bitmap.c). */
    int encodedSize() {
        return (int) Sizes.align8(FIXED_SIZE + name.getBytes(StandardCharsets.UTF_8).length);
    }

    /** Appends the entry, with no extra data, at the buffer's position (block/qcow2-bitmap.c, bitmap_list_store). */
    void writeTo(ByteBuffer b) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        int start = b.position();
        b.putLong(tableOffset).putInt(tableSize).putInt(flags).put((byte) type).put((byte) granularityBits)
                .putShort((short) nameBytes.length).putInt(0).put(nameBytes);
        b.position(start + (int) Sizes.align8(FIXED_SIZE + nameBytes.length));
    }
}
