package dev.bitmig.impl.qcow2;

import java.io.IOException;

/**
 * One parse of the device: the header, which structure uses which cluster, the refcounts, and the bitmap directory
 * with its tables ({@link BitmapDirectory#EMPTY} unless the bitmaps extension is consistent). Only the refcounts
 * (and the new refcount blocks they record in {@code owners}) change, while an update plans its allocations.
 */
record ImageState(Qcow2Header header, ClusterOwners owners, Refcounts refcounts, BitmapDirectory directory) {

    /**
     * Reads and validates everything from the device, in QEMU's order: header and extensions (block/qcow2.c),
     * refcount structures (block/qcow2-refcount.c), L1 table, then the bitmap directory and tables
     * (block/qcow2-bitmap.c), which QEMU ignores while autoclear bit 0 is clear (block/qcow2.c, qcow2_read_extensions).
     */
    static ImageState read(WriteLayer layer) throws IOException {
        long fileLen = layer.length();
        Qcow2Header h = Qcow2Header.read(layer, fileLen);
        ClusterOwners owners = new ClusterOwners(h.clusterSize());
        owners.claim(0, h.clusterSize(), "header", "header cluster", 0);
        Refcounts refcounts = Refcounts.load(layer, h, fileLen, owners);
        h.claimL1Table(fileLen, owners);
        BitmapDirectory dir = h.bitmapsConsistent()
                ? BitmapDirectory.load(layer, h, h.bitmaps(), fileLen, owners)
                : BitmapDirectory.EMPTY;
        return new ImageState(h, owners, refcounts, dir);
    }

    /**
     * The directory even while autoclear bit 0 is clear, read against a copy of {@code owners} so that nothing
     * stays claimed; the loaded directory when the extension is consistent, empty when there is none.
     */
    BitmapDirectory physicalDirectory(WriteLayer layer) throws IOException {
        if (!header.hasBitmapsExtension() || header.bitmapsConsistent()) {
            return directory;
        }
        return BitmapDirectory.load(layer, header, header.bitmaps(), layer.length(), owners.copy());
    }
}
