package dev.bitmig.impl.qcow2.differential;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.qcow2.BitmapDirectoryEntry;
import dev.bitmig.impl.qcow2.Qcow2Image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * bitmig's reading of an image, in the terms QEMU's read-only open reports: every entry of a consistent bitmaps
 * extension is loaded; an IN_USE entry loads inconsistent with no bits; AUTO means recording. Bits go through
 * bitmig's HBitmap, whose count and SHA-256 follow QEMU's hbitmap_count and hbitmap_sha256.
 */
final class BitmigReader {
    private BitmigReader() {
    }

    static ImageView read(Path image) {
        try (Qcow2Image img = Qcow2Image.open(image)) {
            SortedMap<String, BitmapView> out = new TreeMap<>();
            for (BitmapDirectoryEntry e : img.bitmaps()) {
                BitSet bits = e.inUse() ? new BitSet() : img.readBitmap(e.name()).bits();
                HBitmap h = hbitmap(img.diskSize(), e.granularityBits(), bits);
                TreeSet<String> flags = new TreeSet<>();
                if (e.inUse()) {
                    flags.add(BitmapView.IN_USE);
                }
                if (e.auto()) {
                    flags.add(BitmapView.AUTO);
                }
                out.put(e.name(), new BitmapView(e.name(), e.granularity(), flags, true, e.inUse(), e.auto(),
                        h.count(), h.sha256Hex()));
            }
            return ImageView.of(out);
        } catch (IOException | RuntimeException e) {
            return ImageView.refused(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
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
