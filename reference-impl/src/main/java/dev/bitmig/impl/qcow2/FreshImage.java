package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Sizes.ceilDiv;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The layout of a new image, as qemu-img create lays one out (block/qcow2.c, qcow2_co_create): header in cluster 0,
 * refcount table in cluster 1, one refcount block in cluster 2 and a zeroed L1 table from cluster 3. No guest
 * cluster is allocated.
 */
final class FreshImage {

    private FreshImage() {
    }

    /** Checks the arguments, then writes and flushes the image on the empty {@code layer}. */
    static void write(WriteLayer layer, long diskSizeBytes, int clusterBits) throws IOException {
        if (clusterBits < Qcow2Header.MIN_CLUSTER_BITS || clusterBits > Qcow2Header.MAX_CLUSTER_BITS) {
            throw new IllegalArgumentException("cluster_bits " + clusterBits + " out of range 9..21");
        }
        if (diskSizeBytes < 0 || diskSizeBytes > Qcow2Header.MAX_DISK_SIZE) {
            throw new IllegalArgumentException("disk size " + diskSizeBytes + " out of range");
        }
        int cs = 1 << clusterBits;
        long l1Entries = ceilDiv(diskSizeBytes, (long) cs * (cs / 8));
        long l1Clusters = ceilDiv(l1Entries * 8, cs);
        long clusters = 3 + l1Clusters;
        // every cluster of the new image must be counted by the single refcount block
        if (l1Entries * 8 > Qcow2Header.MAX_L1_BYTES || clusters > cs / 2) {
            throw new IllegalArgumentException("disk size " + diskSizeBytes + " too large for cluster size " + cs);
        }
        if (diskSizeBytes % Qcow2Header.SECTOR != 0) {
            // QEMU sees a disk as size / 512 whole sectors (qcow2_do_open), so bitmaps sized for the exact byte count
            // would not have the table size QEMU expects; qemu-img create rounds such a size up instead
            throw new IllegalArgumentException("disk size " + diskSizeBytes + " is not a multiple of 512 bytes"
                    + " (qemu-img create would round it up to "
                    + ceilDiv(diskSizeBytes, Qcow2Header.SECTOR) * Qcow2Header.SECTOR + ")");
        }
        Qcow2Header h = Qcow2Header.created(clusterBits, diskSizeBytes, (int) l1Entries,
                l1Entries == 0 ? 0 : 3L * cs);
        ByteBuffer refblock = ByteBuffer.allocate(cs);
        for (int i = 0; i < clusters; i++) {
            refblock.putShort(i * 2, (short) 1);
        }
        ByteBuffer reft = ByteBuffer.allocate(cs);
        reft.putLong(0, 2L * cs);
        layer.write(2L * cs, refblock.array());
        layer.write(cs, reft.array());
        if (l1Clusters > 0) {
            layer.write(3L * cs, new byte[(int) (l1Clusters * cs)]);
        }
        layer.write(0, h.encode(null, 0));
        layer.flush();
    }
}
