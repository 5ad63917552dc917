package dev.bitmig.impl.node;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.model.Geometry;

import java.util.Set;

/**
 * The virtual disk as the block layer sees it: its size in bytes, and the HBitmap faults every bitmap is created with.
 * Bitmaps are byte-addressed: an HBitmap item is one byte of the disk.
 */
public final class Disk {
    public static final long CLUSTER = Geometry.CLUSTER_BYTES;
    public static final long MIN_GRANULARITY = 512;
    public static final long MAX_GRANULARITY = 1L << 31;

    private final int clusters;
    private final long bytes;
    private final Set<HBitmap.Fault> faults;

    public Disk(int clusters, Set<HBitmap.Fault> faults) {
        this.clusters = clusters;
        this.bytes = clusters * CLUSTER;
        this.faults = Set.copyOf(faults);
    }

    public int clusters() {
        return clusters;
    }

    public long bytes() {
        return bytes;
    }

    public Set<HBitmap.Fault> faults() {
        return faults;
    }

    /** QEMU's check: a power of two from 512 bytes to 2 GiB. */
    public static boolean validGranularity(long bytes) {
        return bytes >= MIN_GRANULARITY && bytes <= MAX_GRANULARITY && Long.bitCount(bytes) == 1;
    }

    /** A clean bitmap over the whole disk. */
    public HBitmap newBits(long granularityBytes) {
        return HBitmap.create(bytes, Long.numberOfTrailingZeros(granularityBytes), faults);
    }

    /** The bytes of a whole serialized bitmap (as qcow2 stores it: the last-level words). */
    public static byte[] serialize(HBitmap bits) {
        byte[] buf = new byte[Math.toIntExact(bits.serializationSize(0, bits.size()))];
        bits.serializePart(buf, 0, bits.size());
        return buf;
    }

    /** A bitmap read back from its serialized bytes. */
    public HBitmap deserialize(long granularityBytes, byte[] data) {
        HBitmap bits = newBits(granularityBytes);
        bits.deserializePart(data, 0, bits.size(), true);
        return bits;
    }

    /**
     * The dirty granules as a user sees them by iteration (bdrv_dirty_iter): exactly {@code countGranules()} of them,
     * read with the HBitmap iterator. A stale summary level or a wrong count shows here as a missing or bogus granule.
     */
    public static long[] granules(HBitmap bits) {
        long n = bits.countGranules();
        long[] out = new long[Math.toIntExact(n)];
        HBitmap.Iter it = bits.iterator(0);
        for (int k = 0; k < out.length; k++) {
            long item = it.next();
            out[k] = item < 0 ? -1 : item >>> bits.granularity();
        }
        return out;
    }
}
