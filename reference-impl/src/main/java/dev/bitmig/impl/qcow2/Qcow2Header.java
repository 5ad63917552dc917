package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Qcow2FormatException.fail;
import static dev.bitmig.impl.qcow2.Sizes.ceilDiv;
import static dev.bitmig.impl.qcow2.Sizes.hex;

import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The qcow2 version 3 header as read from cluster 0: the fixed fields, the bytes up to header_length this
 * implementation does not interpret ({@code headerTail}), the header extensions (the bitmaps one apart, {@code null}
 * when absent) and the backing file name ({@code null} when there is none). Reading validates as QEMU's
 * qcow2_do_open does before it trusts a field (block/qcow2.c); {@link #encode} writes the header cluster back.
 */
record Qcow2Header(int clusterBits, long diskSize, int cryptMethod, int l1Size, long l1TableOffset,
        long refcountTableOffset, int refcountTableClusters, int nbSnapshots, long snapshotsOffset,
        long incompatibleFeatures, long compatibleFeatures, long autoclearFeatures, int headerLength,
        byte[] headerTail, List<HeaderExtension.Opaque> otherExtensions, HeaderExtension.Bitmaps bitmaps,
        byte[] backingFileName) {

    static final int MAGIC = 0x514649fb;
    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;
    /** Autoclear feature bit 0: the bitmaps extension is consistent. */
    static final long AUTOCLEAR_BITMAPS = 1L;
    /** Incompatible feature bits defined by the specification (dirty, corrupt, external data file, compression
     * type, extended L2). */
    static final long KNOWN_INCOMPATIBLE = 0x1fL;
    static final long INCOMPATIBLE_DIRTY = 1L;
    static final long INCOMPATIBLE_CORRUPT = 2L;
    /** Largest disk size accepted. */
    static final long MAX_DISK_SIZE = 1L << 62;
    /** QEMU's sector: virtual disk sizes are whole sectors (BDRV_SECTOR_SIZE). */
    static final long SECTOR = 512;
    static final int HEADER_V3_MIN_LENGTH = 104;
    static final int HEADER_LENGTH_CREATED = 112;
    static final long MAX_REFTABLE_BYTES = 8L << 20;
    static final long MAX_L1_BYTES = 32L << 20;
    /** The only refcount order supported: 16-bit refcounts, qemu-img's default. */
    static final int REFCOUNT_ORDER = 4;

    int clusterSize() {
        return 1 << clusterBits;
    }

    /** The bytes every bitmap covers: the disk size in whole sectors (block/qcow2.c, qcow2_do_open). */
    long bitmapCoverage() {
        return diskSize / SECTOR * SECTOR;
    }

    boolean hasBitmapsExtension() {
        return bitmaps != null;
    }

    /** Whether the bitmaps extension is present and autoclear bit 0 vouches for it (block/qcow2.c). */
    boolean bitmapsConsistent() {
        return bitmaps != null && (autoclearFeatures & AUTOCLEAR_BITMAPS) != 0;
    }

    /** QEMU repairs a dirty image before writing and opens a corrupt one read-only (block/qcow2.c). */
    boolean dirtyOrCorrupt() {
        return (incompatibleFeatures & (INCOMPATIBLE_DIRTY | INCOMPATIBLE_CORRUPT)) != 0;
    }

    /** The header of a fresh image as qemu-img create writes it: no extension, no feature bit. */
    static Qcow2Header created(int clusterBits, long diskSize, int l1Size, long l1TableOffset) {
        return new Qcow2Header(clusterBits, diskSize, 0, l1Size, l1TableOffset, 1L << clusterBits, 1, 0, 0, 0, 0, 0,
                HEADER_LENGTH_CREATED, new byte[HEADER_LENGTH_CREATED - HEADER_V3_MIN_LENGTH], List.of(), null,
                null);
    }

    /** Reads and validates cluster 0 of a device of {@code fileLen} bytes. */
    static Qcow2Header read(WriteLayer layer, long fileLen) throws IOException {
        if (fileLen < HEADER_V3_MIN_LENGTH) {
            throw fail("header at offset 0x0: file of %d bytes is shorter than a version 3 header (104 bytes)",
                    fileLen);
        }
        ByteBuffer h = ByteBuffer.wrap(layer.read(0, HEADER_V3_MIN_LENGTH));
        // magic "QFI\xfb" (block/qcow2.c, qcow2_probe and qcow2_do_open)
        int magic = h.getInt(0);
        if (magic != MAGIC) {
            throw fail("header at offset 0x0: magic 0x%08x is not 0x514649fb (\"QFI\\xfb\")", magic);
        }
        // persistent bitmaps exist only in version 3 images (docs/interop/qcow2.txt)
        int version = h.getInt(4);
        if (version != 3) {
            throw fail("header at offset 0x4: version %d unsupported (only 3)", version);
        }
        // cluster size 512 B to 2 MiB (block/qcow2.h, MIN_CLUSTER_BITS and MAX_CLUSTER_BITS)
        int cb = h.getInt(20);
        if (cb < MIN_CLUSTER_BITS || cb > MAX_CLUSTER_BITS) {
            throw fail("header at offset 0x14: cluster_bits %d out of range %d..%d", cb, MIN_CLUSTER_BITS,
                    MAX_CLUSTER_BITS);
        }
        int cs = 1 << cb;
        // a bound of this implementation, not of QEMU: virtual sizes up to 2^62 bytes
        long size = h.getLong(24);
        if (size < 0 || size > MAX_DISK_SIZE) {
            throw fail("header at offset 0x18: size %s out of range 0..2^62", Long.toUnsignedString(size));
        }
        // header_length at least 104 and within the header cluster (block/qcow2.c, qcow2_do_open)
        int hl = h.getInt(100);
        if (hl < HEADER_V3_MIN_LENGTH || hl > cs) {
            throw fail("header at offset 0x64: header_length %s out of range %d..%d (cluster size)",
                    Integer.toUnsignedString(hl), HEADER_V3_MIN_LENGTH, cs);
        }
        if (hl % 8 != 0) {
            // the specification requires it; extensions are aligned relative to the header start when written
            throw fail("header at offset 0x64: header_length %d is not a multiple of 8", hl);
        }
        // a file too short for its own header is truncated (block/qcow2.c, qcow2_do_open reads header_length bytes)
        if (hl > fileLen) {
            throw fail("header at offset 0x64: header_length %d exceeds the file (%d bytes)", hl, fileLen);
        }
        // unknown incompatible features make QEMU refuse the image (block/qcow2.c, qcow2_do_open)
        long incompat = h.getLong(72);
        if ((incompat & ~KNOWN_INCOMPATIBLE) != 0) {
            throw fail("header at offset 0x48: incompatible_features has unknown bits %s",
                    hex(incompat & ~KNOWN_INCOMPATIBLE));
        }
        // only 16-bit refcounts, qemu-img create's default; QEMU accepts orders 0..6 (block/qcow2.c)
        int refcountOrder = h.getInt(96);
        if (refcountOrder != REFCOUNT_ORDER) {
            throw fail("header at offset 0x60: refcount_order %d unsupported (only 4, 16-bit refcounts)",
                    refcountOrder);
        }
        // the refcount table is cluster-aligned, at most 8 MiB and inside the file (block/qcow2.c,
        // qcow2_validate_table)
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
        // the L1 table is at most 32 MiB, covers the disk and is cluster-aligned (block/qcow2.c, qcow2_do_open)
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
        // the backing file name lies in the header cluster and has at most 1023 bytes (block/qcow2.c)
        long backingOff = h.getLong(8);
        int backingSize = h.getInt(16);
        if (backingOff < 0 || backingOff > cs) {
            throw fail("header at offset 0x8: backing_file_offset %s beyond the header cluster", hex(backingOff));
        }
        if (backingOff != 0 && (backingSize < 0 || backingSize > 1023 || backingOff + backingSize > cs)) {
            throw fail("header at offset 0x10: backing_file_size %s out of range 0..1023 or beyond the header"
                    + " cluster", Integer.toUnsignedString(backingSize));
        }

        // the rest of the header cluster: header tail, extensions, backing file name
        int headerBytes = (int) Math.min(cs, fileLen);
        ByteBuffer hc = ByteBuffer.wrap(layer.read(0, headerBytes));
        byte[] tail = Arrays.copyOfRange(hc.array(), HEADER_V3_MIN_LENGTH, hl);
        byte[] backingName = null;
        if (backingOff != 0) {
            // the name is read from the file, so it must lie inside it (block/qcow2.c, qcow2_do_open)
            if (backingOff + backingSize > headerBytes) {
                throw fail("header at offset 0x8: backing file name at %s lies outside the file", hex(backingOff));
            }
            backingName = Arrays.copyOfRange(hc.array(), (int) backingOff, (int) backingOff + backingSize);
        }
        // the extensions end where the backing file name starts (block/qcow2.c, qcow2_do_open: ext_end)
        int extEnd = backingOff != 0 ? (int) backingOff : headerBytes;
        List<HeaderExtension.Opaque> others = new ArrayList<>();
        HeaderExtension.Bitmaps bitmaps = null;
        for (HeaderExtension x : HeaderExtension.parse(hc, hl, extEnd)) {
            if (x instanceof HeaderExtension.Bitmaps b) {
                bitmaps = b;
            } else {
                others.add((HeaderExtension.Opaque) x);
            }
        }
        return new Qcow2Header(cb, size, h.getInt(32), (int) l1, l1Off, rtOffset, (int) rtClusters, h.getInt(60),
                h.getLong(64), incompat, h.getLong(80), h.getLong(88), hl, tail, List.copyOf(others), bitmaps,
                backingName);
    }

    /** Checks that the L1 table lies inside the file and claims its clusters (block/qcow2.c, qcow2_do_open). */
    void claimL1Table(long fileLen, ClusterOwners owners) throws Qcow2FormatException {
        long l1 = Integer.toUnsignedLong(l1Size);
        if (l1 > 0) {
            if (l1TableOffset > fileLen - l1 * 8) {
                throw fail("header at offset 0x28: l1_table_offset %s with %d entries lies outside the file (%d"
                        + " bytes)", hex(l1TableOffset), l1, fileLen);
            }
            owners.claim(l1TableOffset, l1 * 8, "header at offset 0x28", "l1_table_offset", l1TableOffset);
        }
    }

    /**
     * The header cluster with the given autoclear bits and bitmaps extension ({@code null}: none): the fixed fields,
     * the kept header tail, the other extensions in their order, the bitmaps extension, the end marker and the
     * backing file name right after it.
     */
    byte[] encode(HeaderExtension.Bitmaps withBitmaps, long autoclear) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(clusterSize());
        try {
            b.putInt(MAGIC).putInt(3).putLong(0).putInt(0).putInt(clusterBits).putLong(diskSize).putInt(cryptMethod)
                    .putInt(l1Size).putLong(l1TableOffset).putLong(refcountTableOffset)
                    .putInt(refcountTableClusters).putInt(nbSnapshots).putLong(snapshotsOffset)
                    .putLong(incompatibleFeatures).putLong(compatibleFeatures).putLong(autoclear)
                    .putInt(REFCOUNT_ORDER).putInt(headerLength).put(headerTail);
            b.position(headerLength);
            for (HeaderExtension.Opaque x : otherExtensions) {
                x.writeTo(b);
            }
            if (withBitmaps != null) {
                withBitmaps.writeTo(b);
            }
            HeaderExtension.writeEnd(b);
            if (backingFileName != null) {
                b.putLong(8, b.position()).putInt(16, backingFileName.length);
                b.put(backingFileName);
            }
        } catch (BufferOverflowException e) {
            throw new IOException("header and extensions do not fit in the header cluster", e);
        }
        return b.array();
    }
}
