package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Qcow2FormatException.fail;
import static dev.bitmig.impl.qcow2.Sizes.align8;
import static dev.bitmig.impl.qcow2.Sizes.hex;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes and checks one bitmap directory entry, with the checks of QEMU's bitmap_list_load and check_dir_entry
 * (block/qcow2-bitmap.c) and a few of this implementation's own.
 */
final class DirectoryEntryReader {

    /** An entry and the bytes it takes in the directory. */
    record Read(BitmapDirectoryEntry entry, int size) {
    }

    private DirectoryEntryReader() {
    }

    /**
     * Reads the entry at {@code p} of the directory bytes {@code d}, which lies at file offset {@code at} and has
     * {@code left} bytes of directory from there on; {@code where} names it in error messages.
     */
    static Read read(ByteBuffer d, int p, long at, long left, String where, Qcow2Header h, long fileLen)
            throws Qcow2FormatException {
        int clusterSize = h.clusterSize();
        // an entry lies wholly inside the directory (block/qcow2-bitmap.c, bitmap_list_load)
        if (left < BitmapDirectoryEntry.FIXED_SIZE) {
            throw fail("%s: truncated, %d bytes left in the directory", where, left);
        }
        long tableOffset = d.getLong(p);
        long tableSize = Integer.toUnsignedLong(d.getInt(p + 8));
        int flags = d.getInt(p + 12);
        int type = d.get(p + 16) & 0xff;
        int gbits = d.get(p + 17) & 0xff;
        int nameSize = d.getShort(p + 18) & 0xffff;
        long extra = Integer.toUnsignedLong(d.getInt(p + 20));
        // QEMU supports no extra data (block/qcow2-bitmap.c, bitmap_list_load)
        if (extra != 0) {
            throw fail("%s: extra_data_size %d is not 0 (extra data is not supported)", where, extra);
        }
        // a name of 1 to 1023 bytes (docs/interop/qcow2.txt; block/qcow2-bitmap.c, check_dir_entry)
        if (nameSize < 1 || nameSize > BitmapDirectory.MAX_NAME_SIZE) {
            throw fail("%s: name_size %d out of range 1..%d", where, nameSize, BitmapDirectory.MAX_NAME_SIZE);
        }
        long entrySize = align8(BitmapDirectoryEntry.FIXED_SIZE + nameSize);
        if (entrySize > left) {
            throw fail("%s: entry of %d bytes exceeds the directory (%d bytes left)", where, entrySize, left);
        }
        // only dirty tracking bitmaps exist (block/qcow2-bitmap.c, BT_DIRTY_TRACKING_BITMAP)
        if (type != BitmapDirectoryEntry.TYPE_DIRTY_TRACKING) {
            throw fail("%s: type %d is not 1 (dirty tracking)", where, type);
        }
        // granularity, reserved flags, table offset and size within QEMU's limits (check_dir_entry)
        if (gbits < BitmapDirectory.MIN_GRANULARITY_BITS || gbits > BitmapDirectory.MAX_GRANULARITY_BITS) {
            throw fail("%s: granularity_bits %d out of range %d..%d", where, gbits,
                    BitmapDirectory.MIN_GRANULARITY_BITS, BitmapDirectory.MAX_GRANULARITY_BITS);
        }
        if ((flags & BitmapDirectoryEntry.RESERVED_FLAGS) != 0) {
            throw fail("%s: flags 0x%x has reserved bits 0x%x set", where, flags,
                    flags & BitmapDirectoryEntry.RESERVED_FLAGS);
        }
        boolean inUse = (flags & BitmapDirectoryEntry.FLAG_IN_USE) != 0;
        if (tableOffset <= 0 || tableOffset % clusterSize != 0) {
            throw fail("%s: bitmap_table_offset %s not a non-zero multiple of the cluster size", where,
                    hex(tableOffset));
        }
        if (tableSize > BitmapTable.MAX_TABLE_SIZE) {
            throw fail("%s: bitmap_table_size %d exceeds the maximum %d", where, tableSize,
                    BitmapTable.MAX_TABLE_SIZE);
        }
        if (tableSize * clusterSize > BitmapTable.MAX_PHYS_SIZE) {
            throw fail("%s: bitmap_table_size %d makes the bitmap exceed %d bytes of data", where, tableSize,
                    BitmapTable.MAX_PHYS_SIZE);
        }
        // a consistent entry's table covers the disk (check_dir_entry); here it must match exactly
        long expected = BitmapTable.entriesFor(h, gbits);
        if (!inUse && tableSize != expected) {
            throw fail("%s: bitmap_table_size %d does not match the disk size %d at granularity_bits %d"
                    + " (expected %d)", where, tableSize, h.diskSize(), gbits, expected);
        }
        // a bound of this implementation, not of QEMU: the bits it would hold in memory
        long granules = Qcow2Bitmap.granules(h.bitmapCoverage(), gbits);
        if (!inUse && granules > BitmapData.MAX_GRANULES) {
            throw fail("%s: granularity_bits %d gives %d granules, more than this implementation's limit %d",
                    where, gbits, granules, BitmapData.MAX_GRANULES);
        }
        // the table lies inside the file, or QEMU fails to read it (block/qcow2-bitmap.c, bitmap_table_load)
        if (tableOffset > fileLen - tableSize * 8) {
            throw fail("%s: bitmap_table_offset %s with bitmap_table_size %d lies outside the file (%d bytes)",
                    where, hex(tableOffset), tableSize, fileLen);
        }
        byte[] nameBytes = new byte[nameSize];
        d.get(p + BitmapDirectoryEntry.FIXED_SIZE, nameBytes);
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(nameBytes))
                    .toString();
        } catch (CharacterCodingException ex) {
            // a lossy decode would change the entry's size when the directory is written back
            throw fail("%s: name of %d bytes is not valid UTF-8", where, nameSize);
        }
        return new Read(new BitmapDirectoryEntry(name, tableOffset, (int) tableSize, flags, type, gbits, at),
                (int) entrySize);
    }
}
