package dev.bitmig.impl.store;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.qcow2.BitmapDirectoryEntry;
import dev.bitmig.impl.qcow2.MemoryWriteLayer;
import dev.bitmig.impl.qcow2.Qcow2Bitmap;
import dev.bitmig.impl.qcow2.Qcow2Image;
import dev.bitmig.impl.qcow2.WriteLayer;
import dev.bitmig.model.NodeId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The image as a real qcow2 file (in memory or on disk): the bitmap directory, tables and data clusters are written
 * with QEMU's protocols by {@link Qcow2Image}. Guest data is not stored: the write clock and the per-cluster stamps
 * are kept beside the file. Every write is logged, like {@link InMemoryImageStore}.
 */
public final class Qcow2ImageStore extends LoggedImageStore {
    private static final int CLUSTER_BITS = 16;
    private final long diskBytes;
    private final WriteLayerFactory layers;
    private Qcow2Image image;

    /** Where a fresh image lives. */
    @FunctionalInterface
    public interface WriteLayerFactory {
        WriteLayer fresh() throws IOException;
    }

    /** An image in memory, for the checker. */
    public Qcow2ImageStore(int clusters, long clusterBytes, Predicate<NodeId> isActive) {
        this(clusters, clusterBytes, isActive, MemoryWriteLayer::new);
    }

    public Qcow2ImageStore(int clusters, long clusterBytes, Predicate<NodeId> isActive, WriteLayerFactory layers) {
        super(clusters, isActive);
        this.diskBytes = clusters * clusterBytes;
        this.layers = layers;
        this.image = create();
    }

    private Qcow2Image create() {
        try {
            return Qcow2Image.create(layers.fresh(), diskBytes, CLUSTER_BITS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the qcow2 image", e);
        }
    }

    /** The qcow2 image itself (for checks such as leaks and double references). */
    public Qcow2Image qcow2() {
        return image;
    }

    @Override
    public boolean autoclear() {
        return image.bitmapsConsistent();
    }

    @Override
    public SortedMap<String, StoredEntry> loadDirectory() {
        return loadDirectory(image);
    }

    private SortedMap<String, StoredEntry> loadDirectory(Qcow2Image image) {
        Map<String, BitmapDirectoryEntry> entries = new HashMap<>();
        SortedMap<String, StoredEntry> out = new TreeMap<>();
        try {
            for (var e : image.physicalBitmaps(entries).entrySet()) {
                BitmapDirectoryEntry d = entries.get(e.getKey());
                Qcow2Bitmap b = e.getValue();
                out.put(e.getKey(), new StoredEntry(b.granularity(), d.inUse(), d.auto(), bytes(b)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bitmap directory", e);
        }
        return out;
    }

    /** The serialized HBitmap of the whole bitmap: the granule bits as little-endian words. */
    private byte[] bytes(Qcow2Bitmap b) {
        HBitmap h = HBitmap.create(diskBytes, b.granularityBits());
        byte[] buf = new byte[Math.toIntExact(h.serializationSize(0, h.size()))];
        byte[] bits = b.bits().toByteArray();
        System.arraycopy(bits, 0, buf, 0, Math.min(bits.length, buf.length));
        return buf;
    }

    private static Qcow2Bitmap bitmap(String name, StoredEntry e) {
        return new Qcow2Bitmap(name, Long.numberOfTrailingZeros(e.granularityBytes()), e.auto(), BitSet.valueOf(e.data()));
    }

    @Override
    public void storeEntries(NodeId writer, SortedMap<String, StoredEntry> dir) {
        logged(StoreWrite.Op.DIRECTORY, writer, String.join(",", dir.keySet()));
        apply(image, dir);
    }

    /**
     * A second qcow2 image, from the same factory as the first, gets the entries (IN_USE clear) through the same
     * store protocol, and replaces the image only once it is complete: until then the image is untouched, so an error
     * while the copy is written (thrown) leaves it as it was. The old image is closed, as the
     * rename unlinks its file.
     */
    @Override
    public void replaceWithCopy(NodeId writer, SortedMap<String, StoredEntry> dir) {
        logged(StoreWrite.Op.REPLACED_BY_COPY, writer, String.join(",", dir.keySet()));
        SortedMap<String, StoredEntry> copied = new TreeMap<>();
        dir.forEach((name, e) -> copied.put(name, e.withInUse(false)));
        Qcow2Image copy = create();
        try {
            apply(copy, copied);
        } catch (RuntimeException e) {
            closeQuietly(copy);
            throw e;
        }
        Qcow2Image old = image;
        image = copy;
        closeQuietly(old);
    }

    private static void closeQuietly(Qcow2Image img) {
        try {
            img.close();
        } catch (IOException ignored) {
            // the image is gone from the store either way
        }
    }

    /** Make the image's directory exactly {@code dir}: removals, then a store of what changed, then flags in place. */
    private void apply(Qcow2Image image, SortedMap<String, StoredEntry> dir) {
        try {
            if (image.hasBitmapsExtension() && !image.bitmapsConsistent()) {
                image.dropBitmapsExtension();
            }
            SortedMap<String, StoredEntry> now = loadDirectory(image);
            for (String name : now.keySet()) {
                if (!dir.containsKey(name)) {
                    image.removeBitmap(name);
                }
            }
            List<Qcow2Bitmap> changed = new ArrayList<>();
            for (var e : dir.entrySet()) {
                StoredEntry old = now.get(e.getKey());
                StoredEntry want = e.getValue();
                if (old == null || old.granularityBytes() != want.granularityBytes() || old.auto() != want.auto()
                        || !java.util.Arrays.equals(old.data(), want.data())) {
                    changed.add(bitmap(e.getKey(), want));
                }
            }
            image.storeBitmaps(changed, new HashSet<>(dir.keySet()));
            Map<String, Integer> flags = new TreeMap<>();
            SortedMap<String, StoredEntry> stored = loadDirectory(image);
            for (var e : dir.entrySet()) {
                if (stored.get(e.getKey()).inUse() != e.getValue().inUse()) {
                    flags.put(e.getKey(), (e.getValue().inUse() ? BitmapDirectoryEntry.FLAG_IN_USE : 0)
                            | (e.getValue().auto() ? BitmapDirectoryEntry.FLAG_AUTO : 0));
                }
            }
            if (!flags.isEmpty()) {
                image.updateFlagsInPlace(flags);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the bitmap directory", e);
        }
    }

    @Override
    public void setInUse(NodeId writer, String name) {
        logged(StoreWrite.Op.SET_IN_USE, writer, name);
        Optional<BitmapDirectoryEntry> e = image.bitmap(name);
        if (e.isPresent()) {
            try {
                image.updateFlagsInPlace(Map.of(name, BitmapDirectoryEntry.FLAG_IN_USE
                        | (e.get().auto() ? BitmapDirectoryEntry.FLAG_AUTO : 0)));
            } catch (IOException x) {
                throw new UncheckedIOException("cannot set IN_USE on " + name, x);
            }
        }
    }

    @Override
    public void removeEntry(NodeId writer, String name) {
        logged(StoreWrite.Op.REMOVE_ENTRY, writer, name);
        if (image.bitmap(name).isPresent()) {
            try {
                image.removeBitmap(name);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + name, e);
            }
        }
    }

    @Override
    public void clearAutoclear(NodeId writer) {
        logged(StoreWrite.Op.CLEAR_AUTOCLEAR, writer, "");
        try {
            image.clearAutoclearBit0();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear autoclear bit 0", e);
        }
    }

    @Override
    public void restore(int clock, int[] stamps, boolean autoclear, SortedMap<String, StoredEntry> dir,
                        Optional<NodeId> owner) {
        restoreData(clock, stamps, owner);
        image = create();
        apply(image, dir);
        if (!autoclear && !dir.isEmpty()) {
            try {
                image.clearAutoclearBit0();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
