package dev.bitmig.impl.qcow2.differential;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.qcow2.BitmapDirectoryEntry;
import dev.bitmig.impl.qcow2.LoadedBitmap;
import dev.bitmig.impl.qcow2.MemoryWriteLayer;
import dev.bitmig.impl.qcow2.Qcow2BitmapSession;
import dev.bitmig.impl.qcow2.Qcow2Image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * bitmig's reading of an image, in the terms QEMU's open reports: the directory entries (flags as on disk) come from
 * a read-only {@link Qcow2Image}; which bitmaps load, which load inconsistent and which record come from bitmig's
 * own loader, a {@link Qcow2BitmapSession} opened on an in-memory copy (so the file is not touched). Bits go
 * through bitmig's HBitmap, whose count and SHA-256 follow QEMU's hbitmap_count and hbitmap_sha256.
 */
final class BitmigReader {
    private BitmigReader() {
    }

    static ImageView read(Path image) {
        SortedMap<String, BitmapDirectoryEntry> entries = new TreeMap<>();
        long size;
        try (Qcow2Image img = Qcow2Image.open(image)) {
            img.bitmaps().forEach(e -> entries.put(e.name(), e));
            size = img.bitmapCoverage();
        } catch (IOException | RuntimeException e) {
            return ImageView.refused(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        SortedMap<String, BitmapView> out = new TreeMap<>();
        List<String> warnings = new ArrayList<>();
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(
                new MemoryWriteLayer(Files.readAllBytes(image)), warnings::add)) {
            for (LoadedBitmap b : s.bitmaps()) {
                BitmapDirectoryEntry e = entries.get(b.name());
                TreeSet<String> flags = new TreeSet<>();
                if (e != null && e.inUse()) {
                    flags.add(BitmapView.IN_USE);
                }
                if (e != null && e.auto()) {
                    flags.add(BitmapView.AUTO);
                }
                HBitmap h = hbitmap(size, b.granularityBits(), b.inconsistent() ? new BitSet() : b.bits());
                out.put(b.name(), new BitmapView(b.name(), b.granularity(), flags, true, b.inconsistent(),
                        b.enabled(), h.count(), h.sha256Hex()));
            }
        } catch (IOException | RuntimeException e) {
            return ImageView.refused("bitmig's loader: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return ImageView.of(out);
    }

    /** An HBitmap over {@code diskSize} bytes holding {@code bits}, deserialized the way QEMU loads a bitmap. */
    static HBitmap hbitmap(long diskSize, int granularityBits, BitSet bits) {
        HBitmap h = HBitmap.create(diskSize, granularityBits);
        byte[] buf = new byte[Math.toIntExact(h.serializationSize(0, h.size()))];
        byte[] b = bits.toByteArray();
        System.arraycopy(b, 0, buf, 0, Math.min(b.length, buf.length));
        h.deserializePart(buf, 0, h.size(), true);
        return h;
    }
}
