package dev.bitmig.impl.stream;

import java.util.Set;

/**
 * Constants and chunk arithmetic of the dirty-bitmap migration stream, in the shape of QEMU's
 * {@code migration/block-dirty-bitmap.c}.
 *
 * <p>A record starts with a flags byte. Name flags add a length-prefixed (one byte) UTF-8 node name and/or bitmap
 * name, sent only when they change. {@code START} carries a be32 granularity in bytes and a flags byte;
 * {@code BITS} carries a be64 start sector, a be32 sector count and, unless {@code ZEROES}, a be64 buffer size and the
 * serialized bitmap words; {@code COMPLETE} carries nothing more; {@code EOS} ends a section.
 */
public final class StreamFormat {
    private StreamFormat() {}

    public static final int FLAG_EOS = 0x01;
    public static final int FLAG_ZEROES = 0x02;
    public static final int FLAG_BITMAP_NAME = 0x04;
    public static final int FLAG_DEVICE_NAME = 0x08;
    public static final int FLAG_START = 0x10;
    public static final int FLAG_COMPLETE = 0x20;
    public static final int FLAG_BITS = 0x40;
    /** Would announce multi-byte flags; never produced, rejected when read. */
    public static final int FLAG_EXTRA = 0x80;

    public static final int START_FLAG_ENABLED = 0x01;
    public static final int START_FLAG_PERSISTENT = 0x02;
    /** Former AUTOLOAD flag: ignored when read. */
    public static final int START_FLAG_AUTOLOAD_IGNORED = 0x04;
    public static final int START_FLAG_RESERVED_MASK = 0xf8;

    /** Bytes of bitmap data per BITS record. */
    public static final int CHUNK_SIZE = 1 << 10;
    /** Largest buffer a reader accepts before allocating it. */
    public static final long MAX_BUFFER_SIZE = 10L * CHUNK_SIZE;
    /** BITS buffers are padded to this many bytes. */
    public static final int BUFFER_ALIGN = 32;

    public static final int SECTOR_BITS = 9;
    public static final long SECTOR_SIZE = 1L << SECTOR_BITS;
    public static final long MIN_GRANULARITY = SECTOR_SIZE;
    public static final long MAX_GRANULARITY = 1L << 31;
    public static final int MAX_NAME_BYTES = 255;

    /**
     * Disk sectors covered by one BITS record: {@code CHUNK_SIZE * 8 * (granularity / 512)}, in 64-bit arithmetic.
     */
    public static long sectorsPerChunk(long granularityBytes) {
        return sectorsPerChunk(granularityBytes, Set.of());
    }

    /**
     * Sectors per chunk, optionally with the seeded fault {@link StreamFault#CHUNK_SIZE_32BIT_OVERFLOW}: QEMU bug H10
     * evaluated {@code CHUNK_SIZE * 8 * granularity >> 9} in 32-bit unsigned arithmetic, which wraps to 0 for
     * granularities of 512 KiB and more.
     */
    public static long sectorsPerChunk(long granularityBytes, Set<StreamFault> faults) {
        if (faults.contains(StreamFault.CHUNK_SIZE_32BIT_OVERFLOW)) {
            // FAULT CHUNK_SIZE_32BIT_OVERFLOW (H10): the product wraps modulo 2^32 before the shift.
            long wrapped = (CHUNK_SIZE * 8L * granularityBytes) & 0xFFFF_FFFFL;
            return wrapped >>> SECTOR_BITS;
        }
        return CHUNK_SIZE * 8L * (granularityBytes >>> SECTOR_BITS);
    }

    static boolean validGranularity(long g) {
        return g >= MIN_GRANULARITY && g <= MAX_GRANULARITY && Long.bitCount(g) == 1;
    }

    static long alignUp(long value, long align) {
        return (value + align - 1) / align * align;
    }
}
