package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Qcow2FormatException.fail;
import static dev.bitmig.impl.qcow2.Sizes.ceilDiv;
import static dev.bitmig.impl.qcow2.Sizes.hex;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A bitmap table: one 64-bit entry for each cluster of bitmap data, holding the data cluster's offset, or 0 for an
 * all-zero cluster, or the all-ones bit (block/qcow2-bitmap.c).
 */
final class BitmapTable {

    static final long ENTRY_RESERVED = 0xff000000000001feL;
    static final long ENTRY_OFFSET = 0x00fffffffffffe00L;
    static final long ENTRY_ALL_ONES = 1L;
    /** Most entries in one table (block/qcow2-bitmap.c, BME_MAX_TABLE_SIZE). */
    static final long MAX_TABLE_SIZE = 0x8000000L;
    /** Most bytes of data one bitmap may have (block/qcow2-bitmap.c, BME_MAX_PHYS_SIZE). */
    static final long MAX_PHYS_SIZE = 512L << 20;

    private BitmapTable() {
    }

    /** Entries a consistent bitmap needs for this disk at {@code granularityBits} (block/qcow2-bitmap.c). */
    static long entriesFor(Qcow2Header h, int granularityBits) {
        return ceilDiv(Qcow2Bitmap.granules(h.bitmapCoverage(), granularityBits), (long) h.clusterSize() * 8);
    }

    /**
     * Reads and validates the table of {@code e}, claiming the table and every data cluster it points to, as QEMU's
     * bitmap_table_load and check_table_entry do (block/qcow2-bitmap.c).
     */
    static long[] load(WriteLayer layer, BitmapDirectoryEntry e, int clusterSize, long fileLen, ClusterOwners owners)
            throws IOException {
        owners.claim(e.tableOffset(), Math.max(8, e.tableSize() * 8L), "bitmap directory entry for '" + e.name()
                + "' at offset " + hex(e.offset()), "bitmap_table_offset", e.tableOffset());
        ByteBuffer t = ByteBuffer.wrap(layer.read(e.tableOffset(), e.tableSize() * 8));
        long[] table = new long[e.tableSize()];
        for (int j = 0; j < table.length; j++) {
            long v = t.getLong(j * 8);
            long at = e.tableOffset() + j * 8L;
            String where = "bitmap '" + e.name() + "' table entry " + j + " at offset " + hex(at);
            if ((v & ENTRY_RESERVED) != 0) {
                throw fail("%s: reserved bits %s set in %s", where, hex(v & ENTRY_RESERVED), hex(v));
            }
            long off = v & ENTRY_OFFSET;
            if (off != 0) {
                // a data cluster is never all-ones, is cluster-aligned and in the file (check_table_entry)
                if ((v & ENTRY_ALL_ONES) != 0) {
                    throw fail("%s: all-ones bit set together with data offset %s", where, hex(off));
                }
                if (off % clusterSize != 0) {
                    throw fail("%s: data offset %s not aligned to the cluster size", where, hex(off));
                }
                if (off > fileLen - clusterSize) {
                    throw fail("%s: data offset %s lies outside the file (%d bytes)", where, hex(off), fileLen);
                }
                owners.claim(off, clusterSize, where, "data offset", off);
            }
            table[j] = v;
        }
        return table;
    }

    /** Frees the data clusters of {@code table}, then the table (block/qcow2-bitmap.c, free_bitmap_clusters). */
    static void free(long[] table, BitmapDirectoryEntry e, int clusterSize, Refcounts refcounts) throws IOException {
        for (long v : table) {
            long off = v & ENTRY_OFFSET;
            if (off != 0) {
                refcounts.free(off, clusterSize);
            }
        }
        refcounts.free(e.tableOffset(), Math.max(8, e.tableSize() * 8L));
    }
}
