package dev.bitmig.impl.qcow2.differential;

import dev.bitmig.impl.qcow2.BitmapDirectoryEntry;
import dev.bitmig.impl.qcow2.FileWriteLayer;
import dev.bitmig.impl.qcow2.Qcow2Bitmap;
import dev.bitmig.impl.qcow2.Qcow2Image;
import dev.bitmig.impl.store.Qcow2ImageStore;
import dev.bitmig.impl.store.StoredEntry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plays a {@link BitmigHistory} with bitmig's writer and keeps what the image should now hold. A step bitmig
 * refuses (a typed exception) is logged; after one, what the image should hold is no longer known exactly, and only
 * the readers are compared.
 */
final class BitmigHistoryWriter {

    /** A bitmap as it should be on disk. */
    record Expected(int granularityBits, boolean auto, boolean inUse, BitSet bits) {
    }

    /** Step outcomes, and the bitmaps the image should hold (empty after a refusal). */
    record Written(List<String> log, Optional<SortedMap<String, Expected>> expected) {
    }

    private final BitmigHistory history;
    private final SortedMap<String, Expected> expected = new TreeMap<>();
    private Qcow2Image image;
    private Qcow2ImageStore store;
    private long size;

    private BitmigHistoryWriter(BitmigHistory history) {
        this.history = history;
    }

    static Written write(BitmigHistory history, Path path) throws IOException {
        return new BitmigHistoryWriter(history).run(path);
    }

    private Written run(Path path) throws IOException {
        List<String> log = new ArrayList<>();
        boolean known = true;
        try {
            for (BitmigStep step : history.steps()) {
                try {
                    apply(step, path);
                    log.add("ok");
                } catch (IOException | RuntimeException e) {
                    log.add("refused: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    known = false;
                    if (image == null && store == null) {
                        break;
                    }
                }
            }
        } finally {
            if (store != null) {
                store.qcow2().close();
            } else if (image != null) {
                image.close();
            }
        }
        return new Written(log, known ? Optional.of(expected) : Optional.empty());
    }

    private void apply(BitmigStep step, Path path) throws IOException {
        if (step instanceof BitmigStep.Create c) {
            size = c.size();
            if (history.writer() == BitmigHistory.Writer.STORE) {
                store = new Qcow2ImageStore(1, c.size(), n -> false, () -> FileWriteLayer.createNew(path));
            } else {
                image = Qcow2Image.create(FileWriteLayer.createNew(path), c.size(), c.clusterBits());
            }
        } else if (step instanceof BitmigStep.Store s) {
            store(s);
        } else if (step instanceof BitmigStep.SetFlags f) {
            setFlags(f);
        } else if (step instanceof BitmigStep.Remove r) {
            if (store != null) {
                store.removeEntry(null, r.name());
            } else {
                image.removeBitmap(r.name());
            }
            expected.remove(r.name());
        }
    }

    private void store(BitmigStep.Store s) throws IOException {
        SortedMap<String, Expected> after = new TreeMap<>();
        for (BitmigStep.Entry e : s.entries()) {
            after.put(e.name(), new Expected(e.granularityBits(), e.enabled(), e.inUse(),
                    Contents.bits(e.contents(), Qcow2Bitmap.granules(size, e.granularityBits()))));
        }
        if (store != null) {
            SortedMap<String, StoredEntry> dir = store.loadDirectory();
            after.forEach((name, x) -> dir.put(name, stored(x)));
            store.storeEntries(null, dir);
        } else {
            List<Qcow2Bitmap> bitmaps = new ArrayList<>();
            Map<String, Integer> inUse = new TreeMap<>();
            after.forEach((name, x) -> {
                bitmaps.add(new Qcow2Bitmap(name, x.granularityBits(), x.auto(), x.bits()));
                if (x.inUse()) {
                    inUse.put(name, flags(true, x.auto()));
                }
            });
            image.storeBitmaps(bitmaps, new HashSet<>(after.keySet()));
            if (!inUse.isEmpty()) {
                image.updateFlagsInPlace(inUse);
            }
        }
        expected.putAll(after);
    }

    private void setFlags(BitmigStep.SetFlags f) throws IOException {
        Expected old = expected.get(f.name());
        if (store != null) {
            SortedMap<String, StoredEntry> dir = store.loadDirectory();
            StoredEntry e = dir.get(f.name());
            if (e == null) {
                throw new IllegalArgumentException("no bitmap '" + f.name() + "' in the store");
            }
            dir.put(f.name(), new StoredEntry(e.granularityBytes(), f.inUse(), f.auto(), e.data()));
            store.storeEntries(null, dir);
        } else {
            image.updateFlagsInPlace(Map.of(f.name(), flags(f.inUse(), f.auto())));
        }
        if (old != null) {
            expected.put(f.name(), new Expected(old.granularityBits(), f.auto(), f.inUse(), old.bits()));
        }
    }

    private StoredEntry stored(Expected x) {
        byte[] data = new byte[Math.toIntExact((Qcow2Bitmap.granules(size, x.granularityBits()) + 63) / 64 * 8)];
        byte[] bits = x.bits().toByteArray();
        System.arraycopy(bits, 0, data, 0, Math.min(bits.length, data.length));
        return new StoredEntry(1L << x.granularityBits(), x.inUse(), x.auto(), data);
    }

    private static int flags(boolean inUse, boolean auto) {
        return (inUse ? BitmapDirectoryEntry.FLAG_IN_USE : 0) | (auto ? BitmapDirectoryEntry.FLAG_AUTO : 0);
    }
}
