package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Qcow2FormatException.fail;
import static dev.bitmig.impl.qcow2.Sizes.ceilDiv;
import static dev.bitmig.impl.qcow2.Sizes.hex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;

/**
 * A bitmap's bits in its data clusters: little-endian 64-bit words, one bit per granule, bit {@code i} of the whole
 * bitmap covering granule {@code i}, as QEMU serializes an HBitmap (block/qcow2-bitmap.c, util/hbitmap.c).
 */
final class BitmapData {

    /** Largest bitmap (in granules) this implementation loads into memory. */
    static final long MAX_GRANULES = 1L << 30;

    private BitmapData() {
    }

    /**
     * Reads the bits of the bitmap of {@code e} with table {@code table} (block/qcow2-bitmap.c, load_bitmap_data).
     *
     * @throws Qcow2FormatException when a data cluster has bits set beyond the end of the disk
     */
    static Qcow2Bitmap read(WriteLayer layer, Qcow2Header h, BitmapDirectoryEntry e, long[] table)
            throws IOException {
        String name = e.name();
        int clusterSize = h.clusterSize();
        long nbits = Qcow2Bitmap.granules(h.bitmapCoverage(), e.granularityBits());
        long[] words = new long[(int) ceilDiv(nbits, 64)];
        int wordsPerCluster = clusterSize / 8;
        for (int t = 0; t < table.length; t++) {
            int from = t * wordsPerCluster;
            int to = Math.min(words.length, from + wordsPerCluster);
            long off = table[t] & BitmapTable.ENTRY_OFFSET;
            if (off == 0) {
                if ((table[t] & BitmapTable.ENTRY_ALL_ONES) != 0) {
                    Arrays.fill(words, from, to, -1L);
                }
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(layer.read(off, clusterSize)).order(ByteOrder.LITTLE_ENDIAN);
            for (int w = from; w < from + wordsPerCluster; w++) {
                long v = b.getLong((w - from) * 8);
                long valid = w < words.length ? tailMask(nbits, w) : 0;
                if ((v & ~valid) != 0) {
                    throw fail("bitmap '%s' data cluster at offset %s (table entry %d): bits beyond the end of the"
                            + " disk are set at byte offset %s", name, hex(off), t, hex(off + (w - from) * 8L));
                }
                if (w < words.length) {
                    words[w] = v;
                }
            }
        }
        if (words.length > 0) {
            words[words.length - 1] &= tailMask(nbits, words.length - 1);
        }
        return new Qcow2Bitmap(name, e.granularityBits(), e.auto(), BitSet.valueOf(words));
    }

    /**
     * Allocates data clusters for {@code b}, queues their contents in {@code clusterWrites} and returns the table
     * (block/qcow2-bitmap.c, store_bitmap_data): all-zero clusters are not written.
     */
    static long[] encode(Qcow2Bitmap b, Qcow2Header h, Refcounts refcounts, Map<Long, byte[]> clusterWrites)
            throws IOException {
        int clusterSize = h.clusterSize();
        long nbits = Qcow2Bitmap.granules(h.bitmapCoverage(), b.granularityBits());
        int nwords = (int) ceilDiv(nbits, 64);
        long[] words = Arrays.copyOf(b.bits().toLongArray(), nwords);
        int wordsPerCluster = clusterSize / 8;
        long[] table = new long[(int) BitmapTable.entriesFor(h, b.granularityBits())];
        for (int t = 0; t < table.length; t++) {
            int from = t * wordsPerCluster;
            int to = Math.min(nwords, from + wordsPerCluster);
            boolean zero = true;
            boolean ones = true;
            for (int w = from; w < to; w++) {
                zero &= words[w] == 0;
                ones &= words[w] == tailMask(nbits, w);
            }
            if (zero) {
                table[t] = 0;
            } else if (ones && (long) to * 64 <= nbits) {
                // all-ones entry only for whole words: QEMU 7.2 reads it with hbitmap_deserialize_ones, which fills
                // whole words, so a partial last word would get set bits beyond the disk end, which QEMU writes back
                // at its next store (qcow2-bitmap.c load_bitmap_data, util/hbitmap.c)
                table[t] = BitmapTable.ENTRY_ALL_ONES;
            } else {
                ByteBuffer c = ByteBuffer.allocate(clusterSize).order(ByteOrder.LITTLE_ENDIAN);
                for (int w = from; w < to; w++) {
                    c.putLong(words[w]);
                }
                long off = refcounts.allocate(1);
                clusterWrites.put(off, c.array());
                table[t] = off;
            }
        }
        return table;
    }

    /** The valid bits of word {@code word} of a bitmap of {@code nbits} bits. */
    private static long tailMask(long nbits, int word) {
        long rem = nbits - word * 64L;
        return rem >= 64 ? -1L : (1L << rem) - 1;
    }
}
