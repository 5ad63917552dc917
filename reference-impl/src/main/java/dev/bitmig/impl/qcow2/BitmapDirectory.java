package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Qcow2FormatException.fail;
import static dev.bitmig.impl.qcow2.Sizes.align8;
import static dev.bitmig.impl.qcow2.Sizes.hex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bitmap directory the bitmaps extension points to, in file order, with each entry's bitmap table by name.
 * Reading validates every entry as QEMU's bitmap_list_load and check_dir_entry do (block/qcow2-bitmap.c).
 */
record BitmapDirectory(List<BitmapDirectoryEntry> entries, Map<String, long[]> tables) {

    static final BitmapDirectory EMPTY = new BitmapDirectory(List.of(), Map.of());

    /** Most bitmaps in one image (block/qcow2.h, QCOW2_MAX_BITMAPS). */
    static final int MAX_BITMAPS = 65535;
    /** Largest directory (block/qcow2.h, QCOW2_MAX_BITMAP_DIRECTORY_SIZE). */
    static final long MAX_DIRECTORY_SIZE = 1024L * MAX_BITMAPS;
    /** Granularity from 512 B to 2 GiB (block/qcow2-bitmap.c, BME_MIN_GRANULARITY_BITS, BME_MAX_GRANULARITY_BITS). */
    static final int MIN_GRANULARITY_BITS = 9;
    static final int MAX_GRANULARITY_BITS = 31;
    /** Longest name in bytes (block/qcow2-bitmap.c, BME_MAX_NAME_SIZE). */
    static final int MAX_NAME_SIZE = 1023;

    BitmapDirectory {
        entries = List.copyOf(entries);
        tables = Collections.unmodifiableMap(tables);
    }

    Optional<BitmapDirectoryEntry> find(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The directory's bytes: the entries one after the other (block/qcow2-bitmap.c, bitmap_list_store). */
    static byte[] encode(List<BitmapDirectoryEntry> dir) {
        int size = 0;
        for (BitmapDirectoryEntry e : dir) {
            size += e.encodedSize();
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        for (BitmapDirectoryEntry e : dir) {
            e.writeTo(b);
        }
        return b.array();
    }

    /**
     * Reads the directory {@code ext} points to and every bitmap table, claiming their clusters in {@code owners}.
     */
    static BitmapDirectory load(WriteLayer layer, Qcow2Header h, HeaderExtension.Bitmaps ext, long fileLen,
            ClusterOwners owners) throws IOException {
        long at = ext.dataOffset();
        long nb = Integer.toUnsignedLong(ext.nbBitmaps());
        // 1..65535 bitmaps in a directory of at most 64 MiB, cluster-aligned, in the file (block/qcow2.c,
        // qcow2_read_extensions)
        if (nb < 1 || nb > MAX_BITMAPS) {
            throw fail("bitmaps extension at offset %s: nb_bitmaps %d out of range 1..%d", hex(at), nb,
                    MAX_BITMAPS);
        }
        long dirOff = ext.directoryOffset();
        long dirSize = ext.directorySize();
        if (dirSize < 0 || dirSize > MAX_DIRECTORY_SIZE) {
            throw fail("bitmaps extension at offset %s: bitmap_directory_size %s exceeds the maximum %d",
                    hex(at), Long.toUnsignedString(dirSize), MAX_DIRECTORY_SIZE);
        }
        if (dirSize < nb * align8(BitmapDirectoryEntry.FIXED_SIZE + 1)) {
            throw fail("bitmaps extension at offset %s: bitmap_directory_size %d too small for nb_bitmaps %d",
                    hex(at), dirSize, nb);
        }
        if (dirOff <= 0 || dirOff % h.clusterSize() != 0) {
            throw fail("bitmaps extension at offset %s: bitmap_directory_offset %s not a non-zero multiple of the"
                    + " cluster size", hex(at), hex(dirOff));
        }
        if (dirOff > fileLen - dirSize) {
            throw fail("bitmaps extension at offset %s: bitmap_directory_offset %s with bitmap_directory_size %d"
                    + " lies outside the file (%d bytes)", hex(at), hex(dirOff), dirSize, fileLen);
        }
        owners.claim(dirOff, dirSize, "bitmaps extension at offset " + hex(at), "bitmap_directory_offset", dirOff);
        ByteBuffer d = ByteBuffer.wrap(layer.read(dirOff, (int) dirSize));
        List<BitmapDirectoryEntry> list = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        int p = 0;
        int i = 0;
        while (p < dirSize) {
            String where = "bitmap directory entry " + i + " at offset " + hex(dirOff + p);
            if (i >= nb) {
                throw fail("%s: more entries than nb_bitmaps %d (bitmap_directory_size %d)", where, nb, dirSize);
            }
            DirectoryEntryReader.Read r = DirectoryEntryReader.read(d, p, dirOff + p, dirSize - p, where, h,
                    fileLen);
            BitmapDirectoryEntry e = r.entry();
            // names are unique within the directory (docs/interop/qcow2.txt)
            Integer dup = names.putIfAbsent(e.name(), i);
            if (dup != null) {
                throw fail("%s: name '%s' already used by entry %d", where, e.name(), dup);
            }
            list.add(e);
            p += r.size();
            i++;
        }
        if (i != nb) {
            throw fail("bitmaps extension at offset %s: nb_bitmaps %d but the directory at %s holds %d entries",
                    hex(at), nb, hex(dirOff), i);
        }
        Map<String, long[]> tables = new LinkedHashMap<>();
        for (BitmapDirectoryEntry e : list) {
            tables.put(e.name(), BitmapTable.load(layer, e, h.clusterSize(), fileLen, owners));
        }
        return new BitmapDirectory(list, tables);
    }
}
