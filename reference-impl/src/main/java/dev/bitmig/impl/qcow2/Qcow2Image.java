package dev.bitmig.impl.qcow2;

import java.io.Closeable;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A qcow2 version 3 image seen as a store of persistent dirty bitmaps.
 *
 * <p>Opening parses and validates the header, the header extensions, the refcount table and blocks, and (when the
 * bitmaps extension is present and autoclear bit 0 is set) the bitmap directory and every bitmap table. Any
 * violation raises {@link Qcow2FormatException}; nothing is allocated from a size that was not checked first.
 * Guest data is never read or written; clusters are allocated through the refcounts, so images holding guest data,
 * L2 tables or snapshots are safe to update.
 *
 * <p>Updates follow QEMU's protocols: {@link #storeBitmaps} and {@link #removeBitmap} rewrite the whole directory
 * into new clusters, flush, switch the header in one write, and only then free the old clusters;
 * {@link #updateFlagsInPlace} clears autoclear bit 0, rewrites the directory in place and sets the bit again.
 * After every successful update the image is re-read from the device, so the in-memory view is always the parsed
 * on-disk state. After any exception during an update (including {@link SimulatedCrash}) the object refuses further
 * use; reopen the device.
 */
public final class Qcow2Image implements Closeable {

    public static final int MAGIC = 0x514649fb;
    public static final int DEFAULT_CLUSTER_BITS = 16;
    public static final int MIN_CLUSTER_BITS = 9;
    public static final int MAX_CLUSTER_BITS = 21;
    /** Autoclear feature bit 0: the bitmaps extension is consistent. */
    public static final long AUTOCLEAR_BITMAPS = 1L;
    public static final int EXT_END = 0;
    public static final int EXT_BITMAPS = 0x23852875;
    public static final int EXT_FEATURE_TABLE = 0x6803f857;
    /** Incompatible feature bits defined by the specification (dirty, corrupt, external data file, compression
     * type, extended L2). */
    public static final long KNOWN_INCOMPATIBLE = 0x1fL;
    public static final long INCOMPATIBLE_DIRTY = 1L;
    public static final long INCOMPATIBLE_CORRUPT = 2L;

    public static final int MAX_BITMAPS = 65535;
    public static final long MAX_DIRECTORY_SIZE = 1024L * MAX_BITMAPS;
    public static final int MIN_GRANULARITY_BITS = 9;
    public static final int MAX_GRANULARITY_BITS = 31;
    public static final int MAX_NAME_SIZE = 1023;
    public static final long MAX_TABLE_SIZE = 0x8000000L;
    public static final long MAX_PHYS_SIZE = 512L << 20;
    /** Largest bitmap (in granules) this implementation loads into memory. */
    public static final long MAX_GRANULES = 1L << 30;
    /** Largest disk size accepted. */
    public static final long MAX_DISK_SIZE = 1L << 62;

    /** QEMU's sector: virtual disk sizes are whole sectors (BDRV_SECTOR_SIZE). */
    static final long SECTOR = 512;
    static final int HEADER_V3_MIN_LENGTH = 104;
    static final int HEADER_LENGTH_CREATED = 112;
    static final long MAX_REFTABLE_BYTES = 8L << 20;
    static final long MAX_L1_BYTES = 32L << 20;
    static final long REFTABLE_RESERVED = 0x1ffL;
    static final long TABLE_ENTRY_RESERVED = 0xff000000000001feL;
    static final long TABLE_ENTRY_OFFSET = 0x00fffffffffffe00L;
    static final long TABLE_ENTRY_ALL_ONES = 1L;
    static final int DIR_ENTRY_FIXED = 24;

    private final WriteLayer layer;
    private boolean broken;

    // header
    private int clusterBits;
    private int clusterSize;
    private long diskSize;
    private long backingFileOffset;
    private int backingFileSize;
    private int cryptMethod;
    private int l1Size;
    private long l1TableOffset;
    private long refcountTableOffset;
    private int refcountTableClusters;
    private int nbSnapshots;
    private long snapshotsOffset;
    private long incompatibleFeatures;
    private long compatibleFeatures;
    private long autoclearFeatures;
    private int headerLength;
    private byte[] headerTail;
    private byte[] backingFileName;
    private final List<RawExtension> otherExtensions = new ArrayList<>();

    // bitmaps extension
    private boolean hasBitmapsExtension;
    private long bitmapsExtensionOffset;
    private int nbBitmaps;
    private long directorySize;
    private long directoryOffset;
    private List<BitmapDirectoryEntry> entries = List.of();
    private Map<String, long[]> tables = Map.of();

    // refcounts and cluster ownership
    private long[] reftable;
    private Map<Integer, char[]> refblocks;
    private final Set<Integer> dirtyRefblocks = new TreeSet<>();
    private boolean reftableDirty;
    private Map<Long, String> owners;

    private record RawExtension(int type, byte[] data) {
    }

    private Qcow2Image(WriteLayer layer) {
        this.layer = layer;
    }

    // ------------------------------------------------------------------------------------------------ creation

    /** Creates a new image file with 64 KiB clusters and no bitmaps; the file must not exist. */
    public static Qcow2Image create(Path path, long diskSizeBytes) throws IOException {
        WriteLayer layer = FileWriteLayer.createNew(path);
        try {
            return create(layer, diskSizeBytes, DEFAULT_CLUSTER_BITS);
        } catch (IOException | RuntimeException e) {
            layer.close();
            throw e;
        }
    }

    /**
     * Writes a fresh image onto an empty device: header (cluster 0), refcount table (cluster 1), one refcount block
     * (cluster 2) and a zeroed L1 table (from cluster 3). No guest cluster is allocated.
     */
    public static Qcow2Image create(WriteLayer layer, long diskSizeBytes, int clusterBits) throws IOException {
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new IllegalArgumentException("cluster_bits " + clusterBits + " out of range 9..21");
        }
        if (diskSizeBytes < 0 || diskSizeBytes > MAX_DISK_SIZE) {
            throw new IllegalArgumentException("disk size " + diskSizeBytes + " out of range");
        }
        int cs = 1 << clusterBits;
        long l1Entries = ceilDiv(diskSizeBytes, (long) cs * (cs / 8));
        long l1Clusters = ceilDiv(l1Entries * 8, cs);
        long clusters = 3 + l1Clusters;
        if (l1Entries * 8 > MAX_L1_BYTES || clusters > cs / 2) {
            throw new IllegalArgumentException("disk size " + diskSizeBytes + " too large for cluster size " + cs);
        }
        if (diskSizeBytes % SECTOR != 0) {
            // QEMU sees a disk as size / 512 whole sectors (qcow2_do_open), so bitmaps sized for the exact byte count
            // would not have the table size QEMU expects; qemu-img create rounds such a size up instead
            throw new IllegalArgumentException("disk size " + diskSizeBytes + " is not a multiple of 512 bytes"
                    + " (qemu-img create would round it up to " + ceilDiv(diskSizeBytes, SECTOR) * SECTOR + ")");
        }
        Qcow2Image img = new Qcow2Image(layer);
        img.clusterBits = clusterBits;
        img.clusterSize = cs;
        img.diskSize = diskSizeBytes;
        img.l1Size = (int) l1Entries;
        img.l1TableOffset = l1Entries == 0 ? 0 : 3L * cs;
        img.refcountTableOffset = cs;
        img.refcountTableClusters = 1;
        img.headerLength = HEADER_LENGTH_CREATED;
        img.headerTail = new byte[HEADER_LENGTH_CREATED - HEADER_V3_MIN_LENGTH];

        ByteBuffer refblock = ByteBuffer.allocate(cs);
        for (int i = 0; i < clusters; i++) {
            refblock.putShort(i * 2, (short) 1);
        }
        ByteBuffer reft = ByteBuffer.allocate(cs);
        reft.putLong(0, 2L * cs);
        layer.write(2L * cs, refblock.array());
        layer.write(cs, reft.array());
        if (l1Clusters > 0) {
            layer.write(3L * cs, new byte[(int) (l1Clusters * cs)]);
        }
        layer.write(0, img.encodeHeader(false, 0, 0, 0, 0));
        layer.flush();
        img.reload();
        return img;
    }

    // ------------------------------------------------------------------------------------------------ opening

    /** Opens an image file read-only. */
    public static Qcow2Image open(Path path) throws IOException {
        return open(FileWriteLayer.openReadOnly(path), true);
    }

    /** Opens an image file for reading and updating. */
    public static Qcow2Image openReadWrite(Path path) throws IOException {
        return open(FileWriteLayer.openReadWrite(path), true);
    }

    /** Opens the image on {@code layer}; closing the image closes the layer. */
    public static Qcow2Image open(WriteLayer layer) throws IOException {
        return open(layer, false);
    }

    private static Qcow2Image open(WriteLayer layer, boolean closeOnFailure) throws IOException {
        Qcow2Image img = new Qcow2Image(layer);
        try {
            img.reload();
        } catch (IOException | RuntimeException e) {
            if (closeOnFailure) {
                layer.close();
            }
            throw e;
        }
        return img;
    }

    private static Qcow2FormatException fail(String format, Object... args) {
        return new Qcow2FormatException(String.format(format, args));
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** Re-reads everything from the device. */
    private void reload() throws IOException {
        long fileLen = layer.length();
        if (fileLen < HEADER_V3_MIN_LENGTH) {
            throw fail("header at offset 0x0: file of %d bytes is shorter than a version 3 header (104 bytes)",
                    fileLen);
        }
        ByteBuffer h = ByteBuffer.wrap(layer.read(0, HEADER_V3_MIN_LENGTH));
        int magic = h.getInt(0);
        if (magic != MAGIC) {
            throw fail("header at offset 0x0: magic 0x%08x is not 0x514649fb (\"QFI\\xfb\")", magic);
        }
        int version = h.getInt(4);
        if (version != 3) {
            throw fail("header at offset 0x4: version %d unsupported (only 3)", version);
        }
        int cb = h.getInt(20);
        if (cb < MIN_CLUSTER_BITS || cb > MAX_CLUSTER_BITS) {
            throw fail("header at offset 0x14: cluster_bits %d out of range %d..%d", cb, MIN_CLUSTER_BITS,
                    MAX_CLUSTER_BITS);
        }
        int cs = 1 << cb;
        long size = h.getLong(24);
        if (size < 0 || size > MAX_DISK_SIZE) {
            throw fail("header at offset 0x18: size %s out of range 0..2^62", Long.toUnsignedString(size));
        }
        int hl = h.getInt(100);
        if (hl < HEADER_V3_MIN_LENGTH || hl > cs) {
            throw fail("header at offset 0x64: header_length %s out of range %d..%d (cluster size)",
                    Integer.toUnsignedString(hl), HEADER_V3_MIN_LENGTH, cs);
        }
        if (hl % 8 != 0) {
            // the specification requires it; extensions are aligned relative to the header start when written
            throw fail("header at offset 0x64: header_length %d is not a multiple of 8", hl);
        }
        if (hl > fileLen) {
            throw fail("header at offset 0x64: header_length %d exceeds the file (%d bytes)", hl, fileLen);
        }
        long incompat = h.getLong(72);
        if ((incompat & ~KNOWN_INCOMPATIBLE) != 0) {
            throw fail("header at offset 0x48: incompatible_features has unknown bits %s",
                    hex(incompat & ~KNOWN_INCOMPATIBLE));
        }
        int refcountOrder = h.getInt(96);
        if (refcountOrder != 4) {
            throw fail("header at offset 0x60: refcount_order %d unsupported (only 4, 16-bit refcounts)",
                    refcountOrder);
        }
        long rtOffset = h.getLong(48);
        long rtClusters = Integer.toUnsignedLong(h.getInt(56));
        if (rtOffset % cs != 0 || rtOffset == 0) {
            throw fail("header at offset 0x30: refcount_table_offset %s not a non-zero multiple of the cluster size",
                    hex(rtOffset));
        }
        if (rtClusters < 1 || rtClusters * cs > MAX_REFTABLE_BYTES) {
            throw fail("header at offset 0x38: refcount_table_clusters %d out of range 1..%d", rtClusters,
                    MAX_REFTABLE_BYTES / cs);
        }
        if (rtOffset < 0 || rtOffset > fileLen - rtClusters * cs) {
            throw fail("header at offset 0x30: refcount_table_offset %s with %d clusters lies outside the file"
                    + " (%d bytes)", hex(rtOffset), rtClusters, fileLen);
        }
        long l1 = Integer.toUnsignedLong(h.getInt(36));
        long l1Off = h.getLong(40);
        if (l1 * 8 > MAX_L1_BYTES) {
            throw fail("header at offset 0x24: l1_size %d exceeds %d entries", l1, MAX_L1_BYTES / 8);
        }
        long l1Needed = ceilDiv(size, (long) cs * (cs / 8));
        if (l1 < l1Needed) {
            throw fail("header at offset 0x24: l1_size %d too small for size %d (needs %d)", l1, size, l1Needed);
        }
        if (l1 > 0 && (l1Off <= 0 || l1Off % cs != 0 || l1Off > MAX_DISK_SIZE)) {
            throw fail("header at offset 0x28: l1_table_offset %s not a non-zero multiple of the cluster size",
                    hex(l1Off));
        }
        long backingOff = h.getLong(8);
        int backingSize = h.getInt(16);
        if (backingOff < 0 || backingOff > cs) {
            throw fail("header at offset 0x8: backing_file_offset %s beyond the header cluster", hex(backingOff));
        }
        if (backingOff != 0 && (backingSize < 0 || backingSize > 1023 || backingOff + backingSize > cs)) {
            throw fail("header at offset 0x10: backing_file_size %s out of range 0..1023 or beyond the header"
                    + " cluster", Integer.toUnsignedString(backingSize));
        }

        // commit the header fields
        clusterBits = cb;
        clusterSize = cs;
        diskSize = size;
        backingFileOffset = backingOff;
        backingFileSize = backingSize;
        cryptMethod = h.getInt(32);
        l1Size = (int) l1;
        l1TableOffset = l1Off;
        refcountTableOffset = rtOffset;
        refcountTableClusters = (int) rtClusters;
        nbSnapshots = h.getInt(60);
        snapshotsOffset = h.getLong(64);
        incompatibleFeatures = incompat;
        compatibleFeatures = h.getLong(80);
        autoclearFeatures = h.getLong(88);
        headerLength = hl;

        // the rest of the header cluster: header tail, extensions, backing file name
        int headerBytes = (int) Math.min(cs, fileLen);
        ByteBuffer hc = ByteBuffer.wrap(layer.read(0, headerBytes));
        headerTail = Arrays.copyOfRange(hc.array(), HEADER_V3_MIN_LENGTH, hl);
        backingFileName = null;
        if (backingOff != 0) {
            if (backingOff + backingSize > headerBytes) {
                throw fail("header at offset 0x8: backing file name at %s lies outside the file", hex(backingOff));
            }
            backingFileName = Arrays.copyOfRange(hc.array(), (int) backingOff, (int) backingOff + backingSize);
        }
        int extEnd = backingOff != 0 ? (int) backingOff : headerBytes;
        otherExtensions.clear();
        hasBitmapsExtension = false;
        int pos = hl;
        while (pos < extEnd) {
            if (extEnd - pos < 8) {
                throw fail("header extension at offset %s: type and length need 8 bytes, %d left in the header"
                        + " cluster", hex(pos), extEnd - pos);
            }
            int type = hc.getInt(pos);
            long len = Integer.toUnsignedLong(hc.getInt(pos + 4));
            if (len > extEnd - pos - 8) {
                throw fail("header extension 0x%08x at offset %s: length %d exceeds the header cluster (%d bytes"
                        + " left)", type, hex(pos), len, extEnd - pos - 8);
            }
            int data = pos + 8;
            if (type == EXT_END) {
                break;
            }
            if (type == EXT_BITMAPS) {
                if (hasBitmapsExtension) {
                    throw fail("bitmaps extension at offset %s: duplicate bitmaps extension", hex(pos));
                }
                if (len != 24) {
                    throw fail("bitmaps extension at offset %s: length %d is not 24", hex(pos), len);
                }
                hasBitmapsExtension = true;
                bitmapsExtensionOffset = data;
                nbBitmaps = hc.getInt(data);
                directorySize = hc.getLong(data + 8);
                directoryOffset = hc.getLong(data + 16);
            } else {
                otherExtensions.add(new RawExtension(type, Arrays.copyOfRange(hc.array(), data, data + (int) len)));
            }
            pos = (int) Math.min((long) extEnd, data + ((len + 7) & ~7L));
        }

        owners = new HashMap<>();
        claim(0, cs, "header", "header cluster", 0);
        loadRefcounts(fileLen);
        if (l1 > 0) {
            if (l1Off > fileLen - l1 * 8) {
                throw fail("header at offset 0x28: l1_table_offset %s with %d entries lies outside the file (%d"
                        + " bytes)", hex(l1Off), l1, fileLen);
            }
            claim(l1Off, l1 * 8, "header at offset 0x28", "l1_table_offset", l1Off);
        }
        entries = List.of();
        tables = Map.of();
        if (hasBitmapsExtension && bitmapsConsistent()) {
            loadDirectory(fileLen);
        }
    }

    private void claim(long offset, long bytes, String who, String field, long value) throws Qcow2FormatException {
        String what = who + " " + field + " " + hex(value);
        for (long c = offset / clusterSize; c <= (offset + bytes - 1) / clusterSize; c++) {
            String prev = owners.putIfAbsent(c, what);
            if (prev != null) {
                throw fail("%s: %s %s uses cluster %s already used by %s", who, field, hex(value),
                        hex(c * clusterSize), prev);
            }
        }
    }

    private void loadRefcounts(long fileLen) throws IOException {
        int n = refcountTableClusters * clusterSize / 8;
        ByteBuffer rt = ByteBuffer.wrap(layer.read(refcountTableOffset, refcountTableClusters * clusterSize));
        claim(refcountTableOffset, (long) refcountTableClusters * clusterSize, "header at offset 0x30",
                "refcount_table_offset", refcountTableOffset);
        reftable = new long[n];
        refblocks = new HashMap<>();
        dirtyRefblocks.clear();
        reftableDirty = false;
        for (int i = 0; i < n; i++) {
            long e = rt.getLong(i * 8);
            if (e == 0) {
                continue;
            }
            long at = refcountTableOffset + i * 8L;
            if ((e & REFTABLE_RESERVED) != 0 || e % clusterSize != 0) {
                throw fail("refcount table entry %d at offset %s: refcount block offset %s not aligned to the"
                        + " cluster size (or reserved bits set)", i, hex(at), hex(e));
            }
            if (e < 0 || e > fileLen - clusterSize) {
                throw fail("refcount table entry %d at offset %s: refcount block offset %s lies outside the file"
                        + " (%d bytes)", i, hex(at), hex(e), fileLen);
            }
            claim(e, clusterSize, "refcount table entry " + i + " at offset " + hex(at), "refcount block offset",
                    e);
            reftable[i] = e;
            ByteBuffer b = ByteBuffer.wrap(layer.read(e, clusterSize));
            char[] block = new char[clusterSize / 2];
            b.asCharBuffer().get(block);
            refblocks.put(i, block);
        }
    }

    private void loadDirectory(long fileLen) throws IOException {
        long ext = bitmapsExtensionOffset;
        long nb = Integer.toUnsignedLong(nbBitmaps);
        if (nb < 1 || nb > MAX_BITMAPS) {
            throw fail("bitmaps extension at offset %s: nb_bitmaps %d out of range 1..%d", hex(ext), nb,
                    MAX_BITMAPS);
        }
        long dirOff = directoryOffset;
        long dirSize = directorySize;
        if (dirSize < 0 || dirSize > MAX_DIRECTORY_SIZE) {
            throw fail("bitmaps extension at offset %s: bitmap_directory_size %s exceeds the maximum %d",
                    hex(ext), Long.toUnsignedString(dirSize), MAX_DIRECTORY_SIZE);
        }
        if (dirSize < nb * align8(DIR_ENTRY_FIXED + 1)) {
            throw fail("bitmaps extension at offset %s: bitmap_directory_size %d too small for nb_bitmaps %d",
                    hex(ext), dirSize, nb);
        }
        if (dirOff <= 0 || dirOff % clusterSize != 0) {
            throw fail("bitmaps extension at offset %s: bitmap_directory_offset %s not a non-zero multiple of the"
                    + " cluster size", hex(ext), hex(dirOff));
        }
        if (dirOff > fileLen - dirSize) {
            throw fail("bitmaps extension at offset %s: bitmap_directory_offset %s with bitmap_directory_size %d"
                    + " lies outside the file (%d bytes)", hex(ext), hex(dirOff), dirSize, fileLen);
        }
        claim(dirOff, dirSize, "bitmaps extension at offset " + hex(ext), "bitmap_directory_offset", dirOff);
        ByteBuffer d = ByteBuffer.wrap(layer.read(dirOff, (int) dirSize));
        List<BitmapDirectoryEntry> list = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        int p = 0;
        int i = 0;
        while (p < dirSize) {
            long at = dirOff + p;
            String where = "bitmap directory entry " + i + " at offset " + hex(at);
            if (i >= nb) {
                throw fail("%s: more entries than nb_bitmaps %d (bitmap_directory_size %d)", where, nb, dirSize);
            }
            if (dirSize - p < DIR_ENTRY_FIXED) {
                throw fail("%s: truncated, %d bytes left in the directory", where, dirSize - p);
            }
            long tableOffset = d.getLong(p);
            long tableSize = Integer.toUnsignedLong(d.getInt(p + 8));
            int flags = d.getInt(p + 12);
            int type = d.get(p + 16) & 0xff;
            int gbits = d.get(p + 17) & 0xff;
            int nameSize = d.getShort(p + 18) & 0xffff;
            long extra = Integer.toUnsignedLong(d.getInt(p + 20));
            if (extra != 0) {
                throw fail("%s: extra_data_size %d is not 0 (extra data is not supported)", where, extra);
            }
            if (nameSize < 1 || nameSize > MAX_NAME_SIZE) {
                throw fail("%s: name_size %d out of range 1..%d", where, nameSize, MAX_NAME_SIZE);
            }
            long entrySize = align8(DIR_ENTRY_FIXED + nameSize);
            if (entrySize > dirSize - p) {
                throw fail("%s: entry of %d bytes exceeds the directory (%d bytes left)", where, entrySize,
                        dirSize - p);
            }
            if (type != BitmapDirectoryEntry.TYPE_DIRTY_TRACKING) {
                throw fail("%s: type %d is not 1 (dirty tracking)", where, type);
            }
            if (gbits < MIN_GRANULARITY_BITS || gbits > MAX_GRANULARITY_BITS) {
                throw fail("%s: granularity_bits %d out of range %d..%d", where, gbits, MIN_GRANULARITY_BITS,
                        MAX_GRANULARITY_BITS);
            }
            if ((flags & BitmapDirectoryEntry.RESERVED_FLAGS) != 0) {
                throw fail("%s: flags 0x%x has reserved bits 0x%x set", where, flags,
                        flags & BitmapDirectoryEntry.RESERVED_FLAGS);
            }
            boolean inUse = (flags & BitmapDirectoryEntry.FLAG_IN_USE) != 0;
            if (tableOffset <= 0 || tableOffset % clusterSize != 0) {
                throw fail("%s: bitmap_table_offset %s not a non-zero multiple of the cluster size", where,
                        hex(tableOffset));
            }
            if (tableSize > MAX_TABLE_SIZE) {
                throw fail("%s: bitmap_table_size %d exceeds the maximum %d", where, tableSize, MAX_TABLE_SIZE);
            }
            if (tableSize * clusterSize > MAX_PHYS_SIZE) {
                throw fail("%s: bitmap_table_size %d makes the bitmap exceed %d bytes of data", where, tableSize,
                        MAX_PHYS_SIZE);
            }
            long expected = tableEntriesFor(gbits);
            if (!inUse && tableSize != expected) {
                throw fail("%s: bitmap_table_size %d does not match the disk size %d at granularity_bits %d"
                        + " (expected %d)", where, tableSize, diskSize, gbits, expected);
            }
            if (!inUse && Qcow2Bitmap.granules(bitmapCoverage(), gbits) > MAX_GRANULES) {
                throw fail("%s: granularity_bits %d gives %d granules, more than this implementation's limit %d",
                        where, gbits, Qcow2Bitmap.granules(bitmapCoverage(), gbits), MAX_GRANULES);
            }
            if (tableOffset > fileLen - tableSize * 8) {
                throw fail("%s: bitmap_table_offset %s with bitmap_table_size %d lies outside the file (%d bytes)",
                        where, hex(tableOffset), tableSize, fileLen);
            }
            byte[] nameBytes = new byte[nameSize];
            d.get(p + DIR_ENTRY_FIXED, nameBytes);
            String name;
            try {
                name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(nameBytes))
                        .toString();
            } catch (CharacterCodingException ex) {
                // a lossy decode would change the entry's size when the directory is written back
                throw fail("%s: name of %d bytes is not valid UTF-8", where, nameSize);
            }
            Integer dup = names.putIfAbsent(name, i);
            if (dup != null) {
                throw fail("%s: name '%s' already used by entry %d", where, name, dup);
            }
            list.add(new BitmapDirectoryEntry(name, tableOffset, (int) tableSize, flags, type, gbits, at));
            p += (int) entrySize;
            i++;
        }
        if (i != nb) {
            throw fail("bitmaps extension at offset %s: nb_bitmaps %d but the directory at %s holds %d entries",
                    hex(ext), nb, hex(dirOff), i);
        }
        Map<String, long[]> tbl = new LinkedHashMap<>();
        for (BitmapDirectoryEntry e : list) {
            tbl.put(e.name(), loadTable(e, fileLen));
        }
        entries = List.copyOf(list);
        tables = tbl;
    }

    private long[] loadTable(BitmapDirectoryEntry e, long fileLen) throws IOException {
        {
            claim(e.tableOffset(), Math.max(8, e.tableSize() * 8L), "bitmap directory entry for '" + e.name() + "' at offset "
                    + hex(e.offset()), "bitmap_table_offset", e.tableOffset());
        }
        ByteBuffer t = ByteBuffer.wrap(layer.read(e.tableOffset(), e.tableSize() * 8));
        long[] table = new long[e.tableSize()];
        for (int j = 0; j < table.length; j++) {
            long v = t.getLong(j * 8);
            long at = e.tableOffset() + j * 8L;
            String where = "bitmap '" + e.name() + "' table entry " + j + " at offset " + hex(at);
            if ((v & TABLE_ENTRY_RESERVED) != 0) {
                throw fail("%s: reserved bits %s set in %s", where, hex(v & TABLE_ENTRY_RESERVED), hex(v));
            }
            long off = v & TABLE_ENTRY_OFFSET;
            if (off != 0) {
                if ((v & TABLE_ENTRY_ALL_ONES) != 0) {
                    throw fail("%s: all-ones bit set together with data offset %s", where, hex(off));
                }
                if (off % clusterSize != 0) {
                    throw fail("%s: data offset %s not aligned to the cluster size", where, hex(off));
                }
                if (off > fileLen - clusterSize) {
                    throw fail("%s: data offset %s lies outside the file (%d bytes)", where, hex(off), fileLen);
                }
                claim(off, clusterSize, where, "data offset", off);
            }
            table[j] = v;
        }
        return table;
    }

    // ------------------------------------------------------------------------------------------------ queries

    public int clusterSize() {
        return clusterSize;
    }

    public int clusterBits() {
        return clusterBits;
    }

    /** Virtual disk size in bytes. */
    public long diskSize() {
        return diskSize;
    }

    /**
     * The bytes every bitmap covers: the disk size in whole 512-byte sectors, as QEMU sees the disk
     * ({@code qcow2_do_open}: {@code total_sectors = size / 512}). Differs from {@link #diskSize()} only for a header
     * size that is not whole sectors, which no QEMU tool writes and {@link #create} refuses.
     */
    public long bitmapCoverage() {
        return diskSize / SECTOR * SECTOR;
    }

    public long incompatibleFeatures() {
        return incompatibleFeatures;
    }

    public long compatibleFeatures() {
        return compatibleFeatures;
    }

    public long autoclearFeatures() {
        return autoclearFeatures;
    }

    /** Whether the header carries a bitmaps extension, consistent or not. */
    public boolean hasBitmapsExtension() {
        return hasBitmapsExtension;
    }

    /** Whether the bitmaps extension is present and valid (autoclear bit 0 set). */
    public boolean bitmapsConsistent() {
        return hasBitmapsExtension && (autoclearFeatures & AUTOCLEAR_BITMAPS) != 0;
    }

    /** The bitmap directory; empty when there is no consistent bitmaps extension. */
    public List<BitmapDirectoryEntry> bitmaps() {
        return entries;
    }

    public Optional<BitmapDirectoryEntry> bitmap(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Number of table entries a consistent bitmap needs for this disk at {@code granularityBits}. */
    public long tableEntriesFor(int granularityBits) {
        return ceilDiv(Qcow2Bitmap.granules(bitmapCoverage(), granularityBits), (long) clusterSize * 8);
    }

    /**
     * Reads a bitmap's data. The entry must not be IN_USE (its data would be inconsistent).
     *
     * @throws Qcow2FormatException when a data cluster has bits set beyond the end of the disk
     */
    public Qcow2Bitmap readBitmap(String name) throws IOException {
        checkUsable();
        BitmapDirectoryEntry e = bitmap(name).orElseThrow(() -> new IllegalArgumentException(
                "no bitmap '" + name + "' in the image"));
        if (e.inUse()) {
            throw new IllegalStateException("bitmap '" + name + "' is IN_USE: its data may be inconsistent");
        }
        return readData(e);
    }

    /**
     * What is physically on the image, for a store that shows it whole: every directory entry even while autoclear
     * bit 0 is clear (QEMU then ignores them), with each entry's data even when it is IN_USE. The image is validated
     * as on open; nothing is written.
     */
    public java.util.SortedMap<String, Qcow2Bitmap> physicalBitmaps(java.util.Map<String, BitmapDirectoryEntry> entriesOut)
            throws IOException {
        checkUsable();
        List<BitmapDirectoryEntry> savedEntries = entries;
        Map<String, long[]> savedTables = tables;
        Map<Long, String> savedOwners = new HashMap<>(owners);
        boolean loadedHere = hasBitmapsExtension && !bitmapsConsistent();
        try {
            if (loadedHere) {
                loadDirectory(layer.length());
            }
            java.util.SortedMap<String, Qcow2Bitmap> out = new TreeMap<>();
            for (BitmapDirectoryEntry e : entries) {
                out.put(e.name(), readData(e));
                entriesOut.put(e.name(), e);
            }
            return out;
        } finally {
            if (loadedHere) {
                entries = savedEntries;
                tables = savedTables;
                owners.clear();
                owners.putAll(savedOwners);
            }
        }
    }

    /** Clears autoclear bit 0 and nothing else, as a tool without bitmap support must before it writes. */
    public void clearAutoclearBit0() throws IOException {
        checkWritable();
        if ((autoclearFeatures & AUTOCLEAR_BITMAPS) == 0) {
            return;
        }
        broken = true;
        layer.write(0, encodeHeader(hasBitmapsExtension, autoclearFeatures & ~AUTOCLEAR_BITMAPS, nbBitmaps,
                directorySize, directoryOffset));
        layer.flush();
        reload();
        broken = false;
    }

    private Qcow2Bitmap readData(BitmapDirectoryEntry e) throws IOException {
        String name = e.name();
        long nbits = Qcow2Bitmap.granules(bitmapCoverage(), e.granularityBits());
        long[] words = new long[(int) ceilDiv(nbits, 64)];
        int wordsPerCluster = clusterSize / 8;
        long[] table = tables.get(name);
        for (int t = 0; t < table.length; t++) {
            int from = t * wordsPerCluster;
            int to = Math.min(words.length, from + wordsPerCluster);
            long off = table[t] & TABLE_ENTRY_OFFSET;
            if (off == 0) {
                if ((table[t] & TABLE_ENTRY_ALL_ONES) != 0) {
                    Arrays.fill(words, from, to, -1L);
                }
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(layer.read(off, clusterSize)).order(ByteOrder.LITTLE_ENDIAN);
            for (int w = from; w < from + wordsPerCluster; w++) {
                long v = b.getLong((w - from) * 8);
                long valid = w < words.length ? tailMask(nbits, w) : 0;
                if ((v & ~valid) != 0) {
                    throw fail("bitmap '%s' data cluster at offset %s (table entry %d): bits beyond the end of the"
                            + " disk are set at byte offset %s", name, hex(off), t, hex(off + (w - from) * 8L));
                }
                if (w < words.length) {
                    words[w] = v;
                }
            }
        }
        if (words.length > 0) {
            words[words.length - 1] &= tailMask(nbits, words.length - 1);
        }
        return new Qcow2Bitmap(name, e.granularityBits(), e.auto(), BitSet.valueOf(words));
    }

    private static long tailMask(long nbits, int word) {
        long rem = nbits - word * 64L;
        return rem >= 64 ? -1L : (1L << rem) - 1;
    }

    // ------------------------------------------------------------------------------------------------ updates

    /**
     * Writes {@code bitmaps} with a whole-directory rewrite, as QEMU's store does: data clusters, tables and the new
     * directory go to new clusters and are flushed, then one header write switches the extension (autoclear bit 0
     * set), then the old directory and the replaced tables are freed. Written entries get flags AUTO (if enabled)
     * or 0, so IN_USE is cleared; other entries keep theirs. An existing entry of the same name is replaced only if
     * it is IN_USE or its name is in {@code owned}.
     *
     * @throws IllegalStateException "Bitmap '%s' already exists in the image" otherwise, before any write
     */
    public void storeBitmaps(Collection<Qcow2Bitmap> bitmaps, Set<String> owned) throws IOException {
        checkWritable();
        if (bitmaps.isEmpty()) {
            return;
        }
        Map<String, Qcow2Bitmap> byName = new LinkedHashMap<>();
        for (Qcow2Bitmap b : bitmaps) {
            validateNew(b);
            if (byName.put(b.name(), b) != null) {
                throw new IllegalArgumentException("bitmap '" + b.name() + "' given twice");
            }
            Optional<BitmapDirectoryEntry> old = bitmap(b.name());
            if (old.isPresent() && !old.get().inUse() && !owned.contains(b.name())) {
                throw new IllegalStateException("Bitmap '" + b.name() + "' already exists in the image");
            }
        }
        long newCount = entries.size() + byName.keySet().stream().filter(n -> bitmap(n).isEmpty()).count();
        if (newCount > MAX_BITMAPS) {
            throw new IllegalArgumentException("too many bitmaps: " + newCount + " > " + MAX_BITMAPS);
        }
        broken = true;
        // plan and allocate data clusters and tables
        Map<Long, byte[]> clusterWrites = new TreeMap<>();
        Map<String, BitmapDirectoryEntry> written = new HashMap<>();
        for (Qcow2Bitmap b : byName.values()) {
            long[] table = encodeData(b, clusterWrites);
            ByteBuffer tb = ByteBuffer.allocate((int) Math.max(clusterSize, ceilDiv(table.length * 8L, clusterSize)
                    * clusterSize));
            for (long v : table) {
                tb.putLong(v);
            }
            long tableOff = allocate((int) ceilDiv(Math.max(1, table.length * 8L), clusterSize));
            clusterWrites.put(tableOff, tb.array());
            int flags = b.enabled() ? BitmapDirectoryEntry.FLAG_AUTO : 0;
            written.put(b.name(), new BitmapDirectoryEntry(b.name(), tableOff, table.length, flags,
                    BitmapDirectoryEntry.TYPE_DIRTY_TRACKING, b.granularityBits(), 0));
        }
        List<BitmapDirectoryEntry> newDir = new ArrayList<>();
        List<BitmapDirectoryEntry> replaced = new ArrayList<>();
        for (BitmapDirectoryEntry e : entries) {
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
        switchDirectory(newDir, clusterWrites, replaced);
    }

    /** Removes one entry with a whole-directory rewrite and frees its clusters. */
    public void removeBitmap(String name) throws IOException {
        checkWritable();
        BitmapDirectoryEntry e = bitmap(name).orElseThrow(() -> new IllegalArgumentException(
                "no bitmap '" + name + "' in the image"));
        broken = true;
        List<BitmapDirectoryEntry> newDir = new ArrayList<>(entries);
        newDir.remove(e);
        switchDirectory(newDir, new TreeMap<>(), List.of(e));
    }

    private void switchDirectory(List<BitmapDirectoryEntry> newDir, Map<Long, byte[]> clusterWrites,
            List<BitmapDirectoryEntry> toFree) throws IOException {
        long newDirOff = 0;
        byte[] dir = encodeDirectory(newDir);
        if (dir.length > MAX_DIRECTORY_SIZE) {
            throw new IllegalArgumentException("bitmap directory of " + dir.length + " bytes is too large");
        }
        if (!newDir.isEmpty()) {
            int dirClusters = (int) ceilDiv(dir.length, clusterSize);
            newDirOff = allocate(dirClusters);
            clusterWrites.put(newDirOff, Arrays.copyOf(dir, dirClusters * clusterSize));
        }
        writeRefcounts();
        for (Map.Entry<Long, byte[]> w : clusterWrites.entrySet()) {
            layer.write(w.getKey(), w.getValue());
        }
        layer.flush();
        if (newDir.isEmpty()) {
            layer.write(0, encodeHeader(false, autoclearFeatures & ~AUTOCLEAR_BITMAPS, 0, 0, 0));
        } else {
            layer.write(0, encodeHeader(true, autoclearFeatures | AUTOCLEAR_BITMAPS, newDir.size(), dir.length,
                    newDirOff));
        }
        layer.flush();
        // free the old directory and the replaced tables
        if (bitmapsConsistent()) {
            freeRange(directoryOffset, directorySize);
        }
        for (BitmapDirectoryEntry e : toFree) {
            freeTable(e);
        }
        writeRefcounts();
        layer.flush();
        reload();
        broken = false;
    }

    /**
     * Changes the flags of existing entries in place, as QEMU does when it marks bitmaps IN_USE on load: (a) clear
     * autoclear bit 0 and sync the header, (b) rewrite the directory in place, (c) sync, (d) set bit 0 and sync.
     */
    public void updateFlagsInPlace(Map<String, Integer> flagsByName) throws IOException {
        checkWritable();
        if (!bitmapsConsistent()) {
            throw new IllegalStateException("no consistent bitmaps extension to update");
        }
        List<BitmapDirectoryEntry> updated = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (BitmapDirectoryEntry e : entries) {
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
        byte[] dir = encodeDirectory(updated);
        if (dir.length != directorySize) {
            throw new IllegalStateException("directory size changed during an in-place update");
        }
        broken = true;
        layer.write(0, encodeHeader(true, autoclearFeatures & ~AUTOCLEAR_BITMAPS, nbBitmaps, directorySize,
                directoryOffset));
        layer.flush();
        layer.write(directoryOffset, dir);
        layer.flush();
        layer.write(0, encodeHeader(true, autoclearFeatures | AUTOCLEAR_BITMAPS, nbBitmaps, directorySize,
                directoryOffset));
        layer.flush();
        reload();
        broken = false;
    }

    /**
     * Rewrites the header without the bitmaps extension and with autoclear bit 0 clear. The directory, tables and
     * data clusters leak, as in QEMU.
     */
    public void dropBitmapsExtension() throws IOException {
        checkWritable();
        broken = true;
        layer.write(0, encodeHeader(false, autoclearFeatures & ~AUTOCLEAR_BITMAPS, 0, 0, 0));
        layer.flush();
        reload();
        broken = false;
    }

    /** Clears the autoclear bits this implementation does not know (all but bit 0), as a writable QEMU open does. */
    public void clearUnknownAutoclearBits() throws IOException {
        checkWritable();
        if ((autoclearFeatures & ~AUTOCLEAR_BITMAPS) == 0) {
            return;
        }
        broken = true;
        long ac = autoclearFeatures & AUTOCLEAR_BITMAPS;
        layer.write(0, encodeHeader(hasBitmapsExtension, ac, nbBitmaps, directorySize, directoryOffset));
        layer.flush();
        reload();
        broken = false;
    }

    @Override
    public void close() throws IOException {
        layer.close();
    }

    // ------------------------------------------------------------------------------------------------ internals

    private void checkUsable() {
        if (broken) {
            throw new IllegalStateException("an earlier update failed; reopen the image");
        }
    }

    private void checkWritable() throws IOException {
        checkUsable();
        if ((incompatibleFeatures & (INCOMPATIBLE_DIRTY | INCOMPATIBLE_CORRUPT)) != 0) {
            throw new IOException("image has the dirty or corrupt incompatible feature bit set; repair it first");
        }
    }

    private void validateNew(Qcow2Bitmap b) {
        int nameLen = b.name().getBytes(StandardCharsets.UTF_8).length;
        if (nameLen < 1 || nameLen > MAX_NAME_SIZE) {
            throw new IllegalArgumentException("bitmap name of " + nameLen + " bytes out of range 1..1023");
        }
        if (b.granularityBits() < MIN_GRANULARITY_BITS || b.granularityBits() > MAX_GRANULARITY_BITS) {
            throw new IllegalArgumentException("granularity_bits " + b.granularityBits() + " out of range 9..31");
        }
        long nbits = Qcow2Bitmap.granules(bitmapCoverage(), b.granularityBits());
        if (nbits > MAX_GRANULES || tableEntriesFor(b.granularityBits()) * clusterSize > MAX_PHYS_SIZE) {
            throw new IllegalArgumentException("bitmap '" + b.name() + "' too large");
        }
        if (b.bits().length() > nbits) {
            throw new IllegalArgumentException("bitmap '" + b.name() + "' has bits beyond the disk end (" + nbits
                    + " granules)");
        }
    }

    /** Allocates data clusters for {@code b} and returns its table. */
    private long[] encodeData(Qcow2Bitmap b, Map<Long, byte[]> clusterWrites) throws IOException {
        long nbits = Qcow2Bitmap.granules(bitmapCoverage(), b.granularityBits());
        int nwords = (int) ceilDiv(nbits, 64);
        long[] words = Arrays.copyOf(b.bits().toLongArray(), nwords);
        int wordsPerCluster = clusterSize / 8;
        long[] table = new long[(int) tableEntriesFor(b.granularityBits())];
        for (int t = 0; t < table.length; t++) {
            int from = t * wordsPerCluster;
            int to = Math.min(nwords, from + wordsPerCluster);
            boolean zero = true;
            boolean ones = true;
            for (int w = from; w < to; w++) {
                zero &= words[w] == 0;
                ones &= words[w] == tailMask(nbits, w);
            }
            if (zero) {
                table[t] = 0;
            } else if (ones && (long) to * 64 <= nbits) {
                // all-ones entry only for whole words: QEMU 7.2 reads it with hbitmap_deserialize_ones, which fills
                // whole words, so a partial last word would get set bits beyond the disk end, which QEMU writes back
                // at its next store (qcow2-bitmap.c load_bitmap_data, util/hbitmap.c)
                table[t] = TABLE_ENTRY_ALL_ONES;
            } else {
                ByteBuffer c = ByteBuffer.allocate(clusterSize).order(ByteOrder.LITTLE_ENDIAN);
                for (int w = from; w < to; w++) {
                    c.putLong(words[w]);
                }
                long off = allocate(1);
                clusterWrites.put(off, c.array());
                table[t] = off;
            }
        }
        return table;
    }

    private static byte[] encodeDirectory(List<BitmapDirectoryEntry> dir) {
        int size = 0;
        for (BitmapDirectoryEntry e : dir) {
            size += (int) align8(DIR_ENTRY_FIXED + e.name().getBytes(StandardCharsets.UTF_8).length);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        for (BitmapDirectoryEntry e : dir) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int start = b.position();
            b.putLong(e.tableOffset()).putInt(e.tableSize()).putInt(e.flags()).put((byte) e.type())
                    .put((byte) e.granularityBits()).putShort((short) name.length).putInt(0).put(name);
            b.position(start + (int) align8(DIR_ENTRY_FIXED + name.length));
        }
        return b.array();
    }

    private byte[] encodeHeader(boolean withBitmaps, long autoclear, int nb, long dirSize, long dirOffset)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(clusterSize);
        try {
            b.putInt(MAGIC).putInt(3).putLong(0).putInt(0).putInt(clusterBits).putLong(diskSize).putInt(cryptMethod)
                    .putInt(l1Size).putLong(l1TableOffset).putLong(refcountTableOffset)
                    .putInt(refcountTableClusters).putInt(nbSnapshots).putLong(snapshotsOffset)
                    .putLong(incompatibleFeatures).putLong(compatibleFeatures).putLong(autoclear).putInt(4)
                    .putInt(headerLength).put(headerTail);
            b.position(headerLength);
            for (RawExtension x : otherExtensions) {
                b.putInt(x.type()).putInt(x.data().length).put(x.data());
                b.position((int) align8(b.position()));
            }
            if (withBitmaps) {
                b.putInt(EXT_BITMAPS).putInt(24).putInt(nb).putInt(0).putLong(dirSize).putLong(dirOffset);
            }
            b.putInt(EXT_END).putInt(0);
            if (backingFileName != null) {
                b.putLong(8, b.position()).putInt(16, backingFileName.length);
                b.put(backingFileName);
            }
        } catch (BufferOverflowException e) {
            throw new IOException("header and extensions do not fit in the header cluster", e);
        }
        return b.array();
    }

    // refcounts

    private int refcountsPerBlock() {
        return clusterSize / 2;
    }

    /** Refcount of cluster {@code index} (0 when no refcount block covers it). */
    int refcount(long index) {
        long b = index / refcountsPerBlock();
        if (b >= reftable.length || reftable[(int) b] == 0) {
            return 0;
        }
        return refblocks.get((int) b)[(int) (index % refcountsPerBlock())];
    }

    private boolean free(long index) {
        return refcount(index) == 0 && !owners.containsKey(index);
    }

    private long allocate(int n) throws IOException {
        long start = 1;
        long run = 0;
        for (long c = 1; run < n; c++) {
            if (free(c)) {
                if (run == 0) {
                    start = c;
                }
                run++;
            } else {
                run = 0;
            }
        }
        for (long c = start; c < start + n; c++) {
            setRefcount(c, 1, start, n);
        }
        return start * clusterSize;
    }

    private void setRefcount(long index, int value, long runStart, long runLength) throws IOException {
        int per = refcountsPerBlock();
        long b = index / per;
        if (b >= reftable.length) {
            throw new IOException("refcount table full: growing it is not supported");
        }
        int bi = (int) b;
        if (reftable[bi] == 0) {
            long r = -1;
            for (long c = b * per; c < (b + 1) * per; c++) {
                if ((c < runStart || c >= runStart + runLength) && !owners.containsKey(c)) {
                    r = c;
                    break;
                }
            }
            if (r < 0) {
                throw new IOException("no room for a new refcount block");
            }
            reftable[bi] = r * clusterSize;
            refblocks.put(bi, new char[per]);
            refblocks.get(bi)[(int) (r % per)] = 1;
            owners.put(r, "refcount block");
            reftableDirty = true;
        }
        refblocks.get(bi)[(int) (index % per)] = (char) value;
        dirtyRefblocks.add(bi);
    }

    private void freeRange(long offset, long bytes) throws IOException {
        for (long c = offset / clusterSize; c <= (offset + bytes - 1) / clusterSize; c++) {
            int rc = refcount(c);
            if (rc == 0) {
                throw new IOException("refcount of cluster " + hex(c * clusterSize) + " would drop below 0");
            }
            setRefcount(c, rc - 1, 0, 0);
        }
    }

    private void freeTable(BitmapDirectoryEntry e) throws IOException {
        long[] table = tables.get(e.name());
        for (long v : table) {
            long off = v & TABLE_ENTRY_OFFSET;
            if (off != 0) {
                freeRange(off, clusterSize);
            }
        }
        freeRange(e.tableOffset(), Math.max(8, e.tableSize() * 8L));
    }

    private void writeRefcounts() throws IOException {
        for (int b : dirtyRefblocks) {
            ByteBuffer buf = ByteBuffer.allocate(clusterSize);
            buf.asCharBuffer().put(refblocks.get(b));
            layer.write(reftable[b], buf.array());
        }
        dirtyRefblocks.clear();
        if (reftableDirty) {
            layer.flush();
            ByteBuffer buf = ByteBuffer.allocate(refcountTableClusters * clusterSize);
            buf.asLongBuffer().put(reftable);
            layer.write(refcountTableOffset, buf.array());
            reftableDirty = false;
        }
    }

    // views for tests and checks

    /** File offset of the bitmaps extension's data (nb_bitmaps field), or 0 when absent. */
    long bitmapsExtensionOffset() {
        return hasBitmapsExtension ? bitmapsExtensionOffset : 0;
    }

    long directoryOffset() {
        return directoryOffset;
    }

    long directorySize() {
        return directorySize;
    }

    long refcountTableOffset() {
        return refcountTableOffset;
    }

    long[] table(String name) {
        return tables.get(name).clone();
    }

    /**
     * Clusters this implementation knows to be referenced (header, refcount structures, L1 table, bitmap
     * directory, tables and data) whose refcount is 0: errors in qemu-img check terms.
     */
    public List<Long> referencedButUnallocated() {
        List<Long> out = new ArrayList<>();
        for (long c : new TreeSet<>(owners.keySet())) {
            if (refcount(c) == 0) {
                out.add(c * clusterSize);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Clusters with a non-zero refcount that no structure known here references: leaks, provided the image holds
     * no guest data, L2 tables or snapshots.
     */
    public List<Long> allocatedButUnreferenced() {
        List<Long> out = new ArrayList<>();
        for (Map.Entry<Integer, char[]> b : new TreeMap<>(refblocks).entrySet()) {
            char[] block = b.getValue();
            for (int i = 0; i < block.length; i++) {
                long c = (long) b.getKey() * refcountsPerBlock() + i;
                if (block[i] != 0 && !owners.containsKey(c)) {
                    out.add(c * clusterSize);
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    static long align8(long v) {
        return (v + 7) & ~7L;
    }
}
