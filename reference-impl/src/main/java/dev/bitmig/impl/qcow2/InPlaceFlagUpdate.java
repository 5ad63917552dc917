package dev.bitmig.impl.qcow2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * QEMU's in-place directory update, used when it marks loaded bitmaps IN_USE (block/qcow2-bitmap.c,
 * update_ext_header_and_dir_in_place): (a) clear autoclear bit 0 and sync the header, (b) rewrite the directory in
 * place, (c) sync, (d) set bit 0 and sync. Only flags change, so the directory keeps its size and clusters.
 */
final class InPlaceFlagUpdate {

    private InPlaceFlagUpdate() {
    }

    /**
     * Checks the update before anything is written and returns the new directory bytes.
     *
     * @throws IllegalStateException without a consistent bitmaps extension
     * @throws IllegalArgumentException for reserved flags or a name not in the directory
     */
    static byte[] plan(ImageState s, Map<String, Integer> flagsByName) {
        if (!s.header().bitmapsConsistent()) {
            throw new IllegalStateException("no consistent bitmaps extension to update");
        }
        List<BitmapDirectoryEntry> updated = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (BitmapDirectoryEntry e : s.directory().entries()) {
            Integer f = flagsByName.get(e.name());
            if (f != null) {
                seen.add(e.name());
                if ((f & BitmapDirectoryEntry.RESERVED_FLAGS) != 0) {
                    throw new IllegalArgumentException("reserved flags 0x" + Integer.toHexString(f));
                }
            }
            updated.add(f == null ? e : e.withFlags(f));
        }
        if (!seen.containsAll(flagsByName.keySet())) {
            Set<String> missing = new TreeSet<>(flagsByName.keySet());
            missing.removeAll(seen);
            throw new IllegalArgumentException("no bitmaps " + missing + " in the image");
        }
        byte[] dir = BitmapDirectory.encode(updated);
        if (dir.length != s.header().bitmaps().directorySize()) {
            throw new IllegalStateException("directory size changed during an in-place update");
        }
        return dir;
    }

    /** Writes the planned directory with steps (a) to (d). The caller re-reads the image afterwards. */
    static void apply(WriteLayer layer, ImageState s, byte[] dir) throws IOException {
        Qcow2Header h = s.header();
        HeaderExtension.Bitmaps ext = h.bitmaps();
        layer.write(0, h.encode(ext, h.autoclearFeatures() & ~Qcow2Header.AUTOCLEAR_BITMAPS));
        layer.flush();
        layer.write(ext.directoryOffset(), dir);
        layer.flush();
        layer.write(0, h.encode(ext, h.autoclearFeatures() | Qcow2Header.AUTOCLEAR_BITMAPS));
        layer.flush();
    }
}
