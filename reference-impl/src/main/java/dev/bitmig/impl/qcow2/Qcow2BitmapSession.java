package dev.bitmig.impl.qcow2;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An image opened read-write the way QEMU opens a qcow2 node, with its persistent bitmaps "in RAM".
 *
 * <p>Open: unknown autoclear bits are cleared; if the bitmaps extension exists but autoclear bit 0 is clear, a
 * warning is reported and the extension is dropped (its clusters leak). Otherwise every entry is loaded: an IN_USE
 * entry becomes an inconsistent bitmap (no data read); any other entry is read and then marked IN_USE on disk with
 * one in-place flag update. {@link #close()} stores every consistent bitmap (clearing IN_USE); inconsistent entries
 * stay IN_USE on disk.
 */
public final class Qcow2BitmapSession implements Closeable {

    /** QEMU's warning for an image whose autoclear bit 0 was cleared by a bitmap-unaware writer. */
    public static final String UNAWARE_WRITER_WARNING = "a program lacking bitmap support modified this file, so all"
            + " bitmaps are now considered inconsistent";
    public static final String LEAK_HINT = "Some clusters may be leaked, run 'qemu-img check -r' on the image file"
            + " to fix.";

    private final Qcow2Image image;
    private final Map<String, LoadedBitmap> bitmaps = new LinkedHashMap<>();
    private final Set<String> owned = new HashSet<>();
    private boolean closed;

    private Qcow2BitmapSession(Qcow2Image image) {
        this.image = image;
    }

    public static Qcow2BitmapSession openReadWrite(Path path, Consumer<String> warnings) throws IOException {
        return openReadWrite(FileWriteLayer.openReadWrite(path), warnings);
    }

    /** Opens the image on {@code layer} read-write; closing the session closes the layer. */
    public static Qcow2BitmapSession openReadWrite(WriteLayer layer, Consumer<String> warnings)
            throws IOException {
        Qcow2Image image;
        try {
            image = Qcow2Image.open(layer);
        } catch (IOException | RuntimeException e) {
            layer.close();
            throw e;
        }
        Qcow2BitmapSession s = new Qcow2BitmapSession(image);
        s.load(warnings);
        return s;
    }

    private void load(Consumer<String> warnings) throws IOException {
        image.clearUnknownAutoclearBits();
        if (image.hasBitmapsExtension() && !image.bitmapsConsistent()) {
            warnings.accept(UNAWARE_WRITER_WARNING);
            warnings.accept(LEAK_HINT);
            image.dropBitmapsExtension();
            return;
        }
        Map<String, Integer> setInUse = new LinkedHashMap<>();
        for (BitmapDirectoryEntry e : image.bitmaps()) {
            if (e.inUse()) {
                bitmaps.put(e.name(), new LoadedBitmap(e.name(), e.granularityBits(), false, true, null));
            } else {
                Qcow2Bitmap b = image.readBitmap(e.name());
                bitmaps.put(e.name(), new LoadedBitmap(e.name(), e.granularityBits(), e.auto(), false, b.bits()));
                setInUse.put(e.name(), e.flags() | BitmapDirectoryEntry.FLAG_IN_USE);
                owned.add(e.name());
            }
        }
        if (!setInUse.isEmpty()) {
            image.updateFlagsInPlace(setInUse);
        }
    }

    public Qcow2Image image() {
        return image;
    }

    /** The bitmaps in RAM, in directory order followed by added ones. */
    public List<LoadedBitmap> bitmaps() {
        return Collections.unmodifiableList(new ArrayList<>(bitmaps.values()));
    }

    public Optional<LoadedBitmap> bitmap(String name) {
        return Optional.ofNullable(bitmaps.get(name));
    }

    /**
     * Adds a new persistent bitmap in RAM. Nothing is written until {@link #close()}.
     *
     * @throws IllegalStateException "Bitmap already exists: NAME" when the name is taken in RAM
     */
    public void add(String name, int granularityBits, boolean enabled) {
        checkOpen();
        if (bitmaps.containsKey(name)) {
            throw new IllegalStateException("Bitmap already exists: " + name);
        }
        bitmaps.put(name, new LoadedBitmap(name, granularityBits, enabled, false, new BitSet()));
    }

    /** Replaces the bits of a consistent bitmap. */
    public void setBits(String name, BitSet bits) {
        LoadedBitmap b = consistent(name);
        bitmaps.put(name, new LoadedBitmap(name, b.granularityBits(), b.enabled(), false, bits));
    }

    public void setEnabled(String name, boolean enabled) {
        LoadedBitmap b = consistent(name);
        bitmaps.put(name, new LoadedBitmap(name, b.granularityBits(), enabled, false, b.bits()));
    }

    /** Records a guest write of {@code [offset, offset + bytes)} in every enabled consistent bitmap. */
    public void markWrite(long offset, long bytes) {
        checkOpen();
        if (bytes <= 0) {
            return;
        }
        long end = Math.min(offset + bytes, image.bitmapCoverage());
        for (LoadedBitmap b : List.copyOf(bitmaps.values())) {
            if (b.enabled() && !b.inconsistent()) {
                BitSet bits = b.bits();
                int g = b.granularityBits();
                bits.set(Math.toIntExact(offset >>> g), Math.toIntExact((end + b.granularity() - 1) >>> g));
                bitmaps.put(b.name(), new LoadedBitmap(b.name(), g, true, false, bits));
            }
        }
    }

    /** Removes a bitmap from RAM and its entry from the image (whole-directory rewrite), as QEMU's remove does. */
    public void remove(String name) throws IOException {
        checkOpen();
        if (!bitmaps.containsKey(name)) {
            throw new IllegalArgumentException("Dirty bitmap '" + name + "' not found");
        }
        if (image.bitmap(name).isPresent()) {
            image.removeBitmap(name);
        }
        bitmaps.remove(name);
        owned.remove(name);
    }

    /** Clean close: stores every consistent bitmap (IN_USE cleared) and closes the image. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            List<Qcow2Bitmap> store = new ArrayList<>();
            for (LoadedBitmap b : bitmaps.values()) {
                if (!b.inconsistent()) {
                    store.add(new Qcow2Bitmap(b.name(), b.granularityBits(), b.enabled(), b.bits()));
                }
            }
            image.storeBitmaps(store, owned);
        } finally {
            image.close();
        }
    }

    private LoadedBitmap consistent(String name) {
        checkOpen();
        LoadedBitmap b = bitmaps.get(name);
        if (b == null) {
            throw new IllegalArgumentException("Dirty bitmap '" + name + "' not found");
        }
        if (b.inconsistent()) {
            throw new IllegalStateException("Bitmap '" + name + "' is inconsistent and cannot be used");
        }
        return b;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("session closed");
        }
    }
}
