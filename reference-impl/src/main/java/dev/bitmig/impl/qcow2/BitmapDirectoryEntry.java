package dev.bitmig.impl.qcow2;

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
}
