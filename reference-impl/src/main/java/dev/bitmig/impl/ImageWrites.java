package dev.bitmig.impl;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.impl.store.StoredEntry;
import dev.bitmig.model.QemuErrors;

import java.util.SortedMap;
import java.util.TreeMap;

/** What a data write does to the image beyond its clusters: an aware tool's entries, a full volume's refusal. */
final class ImageWrites {
    private final ImageStore image;
    private final Disk disk;

    ImageWrites(ImplSystem sys) {
        this.image = sys.image();
        this.disk = sys.disk();
    }

    /** The directory an aware writer leaves: each auto entry not in use has the written clusters set. */
    SortedMap<String, StoredEntry> markedByAwareWriter(int first, int count) {
        SortedMap<String, StoredEntry> dir = image.autoclear() ? image.loadDirectory() : new TreeMap<>();
        for (var e : dir.entrySet()) {
            StoredEntry entry = e.getValue();
            if (entry.inUse() || !entry.auto()) {
                continue;
            }
            HBitmap bits = disk.deserialize(entry.granularityBytes(), entry.data());
            bits.set(first * Disk.CLUSTER, count * Disk.CLUSTER);
            e.setValue(entry.withData(Disk.serialize(bits)));
        }
        return dir;
    }

    /**
     * A guest write that a full volume refused: block/io.c bdrv_co_write_req_finish marks the bitmaps all the same, and
     * one that had to allocate leaves the refused allocation in the caches (qcow2_alloc_cluster_abort).
     */
    void failedOnFullVolume(BlockNode n, int first, int count) {
        n.markDirty(first * Disk.CLUSTER, count * Disk.CLUSTER);
        int[] stamps = image.lastWrite();
        for (int c = first; c < first + count; c++) {
            if (stamps[c] == 0) n.setUnflushed(true);
        }
        Failure.fail(QemuErrors.WRITE_NO_SPACE);
    }
}
