package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Sizes.ceilDiv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * QEMU's whole-directory rewrite (block/qcow2-bitmap.c, update_ext_header_and_dir): data clusters, tables and the
 * new directory go to newly allocated clusters and are flushed, one header write switches the bitmaps extension,
 * and only then are the old directory and the replaced tables freed. Store and remove both use it.
 */
final class DirectoryRewrite {

    private DirectoryRewrite() {
    }

    /**
     * Checks a store before anything is written and returns the bitmaps by name, in the given order.
     *
     * @throws IllegalStateException "Bitmap '%s' already exists in the image" for an existing entry that is neither
     *         IN_USE nor in {@code owned}, as QEMU refuses to overwrite a bitmap it did not load
     *         (block/qcow2-bitmap.c, qcow2_store_persistent_dirty_bitmaps)
     */
    static Map<String, Qcow2Bitmap> checkStore(ImageState s, Collection<Qcow2Bitmap> bitmaps, Set<String> owned) {
        Map<String, Qcow2Bitmap> byName = new LinkedHashMap<>();
        for (Qcow2Bitmap b : bitmaps) {
            checkNew(s.header(), b);
            if (byName.put(b.name(), b) != null) {
                throw new IllegalArgumentException("bitmap '" + b.name() + "' given twice");
            }
            Optional<BitmapDirectoryEntry> old = s.directory().find(b.name());
            if (old.isPresent() && !old.get().inUse() && !owned.contains(b.name())) {
                throw new IllegalStateException("Bitmap '" + b.name() + "' already exists in the image");
            }
        }
        // at most QCOW2_MAX_BITMAPS entries (block/qcow2-bitmap.c, qcow2_co_can_store_new_dirty_bitmap)
        long newCount = s.directory().entries().size()
                + byName.keySet().stream().filter(n -> s.directory().find(n).isEmpty()).count();
        if (newCount > BitmapDirectory.MAX_BITMAPS) {
            throw new IllegalArgumentException("too many bitmaps: " + newCount + " > " + BitmapDirectory.MAX_BITMAPS);
        }
        return byName;
    }

    /** The limits QEMU puts on a bitmap it stores (block/qcow2-bitmap.c, check_constraints_on_bitmap). */
    private static void checkNew(Qcow2Header h, Qcow2Bitmap b) {
        int nameLen = b.name().getBytes(StandardCharsets.UTF_8).length;
        if (nameLen < 1 || nameLen > BitmapDirectory.MAX_NAME_SIZE) {
            throw new IllegalArgumentException("bitmap name of " + nameLen + " bytes out of range 1..1023");
        }
        if (b.granularityBits() < BitmapDirectory.MIN_GRANULARITY_BITS
                || b.granularityBits() > BitmapDirectory.MAX_GRANULARITY_BITS) {
            throw new IllegalArgumentException("granularity_bits " + b.granularityBits() + " out of range 9..31");
        }
        long nbits = Qcow2Bitmap.granules(h.bitmapCoverage(), b.granularityBits());
        if (nbits > BitmapData.MAX_GRANULES
                || BitmapTable.entriesFor(h, b.granularityBits()) * h.clusterSize() > BitmapTable.MAX_PHYS_SIZE) {
            throw new IllegalArgumentException("bitmap '" + b.name() + "' too large");
        }
        if (b.bits().length() > nbits) {
            throw new IllegalArgumentException("bitmap '" + b.name() + "' has bits beyond the disk end (" + nbits
                    + " granules)");
        }
    }

    /**
     * Writes the checked {@code byName}: each gets flags AUTO (if enabled) or 0, so IN_USE is cleared, and replaces
     * an entry of the same name in place; new entries follow the existing ones (block/qcow2-bitmap.c,
     * qcow2_store_persistent_dirty_bitmaps).
     */
    static void store(WriteLayer layer, ImageState s, Map<String, Qcow2Bitmap> byName) throws IOException {
        int cs = s.header().clusterSize();
        Map<Long, byte[]> clusterWrites = new TreeMap<>();
        Map<String, BitmapDirectoryEntry> written = new HashMap<>();
        for (Qcow2Bitmap b : byName.values()) {
            long[] table = BitmapData.encode(b, s.header(), s.refcounts(), clusterWrites);
            ByteBuffer tb = ByteBuffer.allocate((int) Math.max(cs, ceilDiv(table.length * 8L, cs) * cs));
            for (long v : table) {
                tb.putLong(v);
            }
            long tableOff = s.refcounts().allocate((int) ceilDiv(Math.max(1, table.length * 8L), cs));
            clusterWrites.put(tableOff, tb.array());
            int flags = b.enabled() ? BitmapDirectoryEntry.FLAG_AUTO : 0;
            written.put(b.name(), new BitmapDirectoryEntry(b.name(), tableOff, table.length, flags,
                    BitmapDirectoryEntry.TYPE_DIRTY_TRACKING, b.granularityBits(), 0));
        }
        List<BitmapDirectoryEntry> newDir = new ArrayList<>();
        List<BitmapDirectoryEntry> replaced = new ArrayList<>();
        for (BitmapDirectoryEntry e : s.directory().entries()) {
            BitmapDirectoryEntry w = written.remove(e.name());
            if (w != null) {
                replaced.add(e);
                newDir.add(w);
            } else {
                newDir.add(e);
            }
        }
        for (Qcow2Bitmap b : byName.values()) {
            if (written.containsKey(b.name())) {
                newDir.add(written.get(b.name()));
            }
        }
        switchTo(layer, s, newDir, clusterWrites, replaced);
    }

    /** Removes {@code e} and frees its clusters (block/qcow2-bitmap.c, qcow2_co_remove_persistent_dirty_bitmap). */
    static void remove(WriteLayer layer, ImageState s, BitmapDirectoryEntry e) throws IOException {
        List<BitmapDirectoryEntry> newDir = new ArrayList<>(s.directory().entries());
        newDir.remove(e);
        switchTo(layer, s, newDir, new TreeMap<>(), List.of(e));
    }

    /**
     * The rewrite itself: an empty directory drops the extension and clears autoclear bit 0; any other sets the
     * bit. The caller re-reads the image afterwards.
     */
    private static void switchTo(WriteLayer layer, ImageState s, List<BitmapDirectoryEntry> newDir,
            Map<Long, byte[]> clusterWrites, List<BitmapDirectoryEntry> toFree) throws IOException {
        Qcow2Header h = s.header();
        int cs = h.clusterSize();
        long newDirOff = 0;
        byte[] dir = BitmapDirectory.encode(newDir);
        if (dir.length > BitmapDirectory.MAX_DIRECTORY_SIZE) {
            throw new IllegalArgumentException("bitmap directory of " + dir.length + " bytes is too large");
        }
        if (!newDir.isEmpty()) {
            int dirClusters = (int) ceilDiv(dir.length, cs);
            newDirOff = s.refcounts().allocate(dirClusters);
            clusterWrites.put(newDirOff, Arrays.copyOf(dir, dirClusters * cs));
        }
        s.refcounts().write(layer);
        for (Map.Entry<Long, byte[]> w : clusterWrites.entrySet()) {
            layer.write(w.getKey(), w.getValue());
        }
        layer.flush();
        long autoclear = h.autoclearFeatures();
        if (newDir.isEmpty()) {
            layer.write(0, h.encode(null, autoclear & ~Qcow2Header.AUTOCLEAR_BITMAPS));
        } else {
            layer.write(0, h.encode(new HeaderExtension.Bitmaps(newDir.size(), dir.length, newDirOff, 0),
                    autoclear | Qcow2Header.AUTOCLEAR_BITMAPS));
        }
        layer.flush();
        // free the old directory and the replaced tables, only once the header no longer points to them
        if (h.bitmapsConsistent()) {
            s.refcounts().free(h.bitmaps().directoryOffset(), h.bitmaps().directorySize());
        }
        for (BitmapDirectoryEntry e : toFree) {
            BitmapTable.free(s.directory().tables().get(e.name()), e, cs, s.refcounts());
        }
        s.refcounts().write(layer);
        layer.flush();
    }
}
