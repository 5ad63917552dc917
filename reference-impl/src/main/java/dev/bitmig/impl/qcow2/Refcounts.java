package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.Qcow2FormatException.fail;
import static dev.bitmig.impl.qcow2.Sizes.hex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The refcount table and its 16-bit refcount blocks, and cluster allocation through them, after QEMU's
 * block/qcow2-refcount.c. Changes stay in memory until {@link #write}; clusters used by a known structure
 * ({@link ClusterOwners}) are never handed out, even with a refcount of 0.
 */
final class Refcounts {

    /** Bits 0..8 of a refcount table entry are reserved (docs/interop/qcow2.txt). */
    static final long REFTABLE_RESERVED = 0x1ffL;

    private final int clusterSize;
    private final long tableOffset;
    private final int tableClusters;
    private final long[] reftable;
    private final Map<Integer, char[]> refblocks;
    private final Set<Integer> dirtyRefblocks = new TreeSet<>();
    private boolean reftableDirty;
    private final ClusterOwners owners;

    private Refcounts(Qcow2Header h, long[] reftable, Map<Integer, char[]> refblocks, ClusterOwners owners) {
        this.clusterSize = h.clusterSize();
        this.tableOffset = h.refcountTableOffset();
        this.tableClusters = h.refcountTableClusters();
        this.reftable = reftable;
        this.refblocks = refblocks;
        this.owners = owners;
    }

    /**
     * Reads the refcount table the header points to and every refcount block it lists, claiming their clusters in
     * {@code owners}, which the allocator consults from then on.
     */
    static Refcounts load(WriteLayer layer, Qcow2Header h, long fileLen, ClusterOwners owners) throws IOException {
        int cs = h.clusterSize();
        long rtOffset = h.refcountTableOffset();
        int n = h.refcountTableClusters() * cs / 8;
        ByteBuffer rt = ByteBuffer.wrap(layer.read(rtOffset, h.refcountTableClusters() * cs));
        owners.claim(rtOffset, (long) h.refcountTableClusters() * cs, "header at offset 0x30",
                "refcount_table_offset", rtOffset);
        long[] reftable = new long[n];
        Map<Integer, char[]> refblocks = new HashMap<>();
        for (int i = 0; i < n; i++) {
            long e = rt.getLong(i * 8);
            if (e == 0) {
                continue;
            }
            long at = rtOffset + i * 8L;
            // a refcount block is cluster-aligned and inside the file (block/qcow2-refcount.c, qcow2_check_refcounts)
            if ((e & REFTABLE_RESERVED) != 0 || e % cs != 0) {
                throw fail("refcount table entry %d at offset %s: refcount block offset %s not aligned to the"
                        + " cluster size (or reserved bits set)", i, hex(at), hex(e));
            }
            if (e < 0 || e > fileLen - cs) {
                throw fail("refcount table entry %d at offset %s: refcount block offset %s lies outside the file"
                        + " (%d bytes)", i, hex(at), hex(e), fileLen);
            }
            owners.claim(e, cs, "refcount table entry " + i + " at offset " + hex(at), "refcount block offset", e);
            reftable[i] = e;
            ByteBuffer b = ByteBuffer.wrap(layer.read(e, cs));
            char[] block = new char[cs / 2];
            b.asCharBuffer().get(block);
            refblocks.put(i, block);
        }
        return new Refcounts(h, reftable, refblocks, owners);
    }

    private int perBlock() {
        return clusterSize / 2;
    }

    /** Refcount of cluster {@code index} (0 when no refcount block covers it). */
    int refcount(long index) {
        long b = index / perBlock();
        if (b >= reftable.length || reftable[(int) b] == 0) {
            return 0;
        }
        return refblocks.get((int) b)[(int) (index % perBlock())];
    }

    private boolean free(long index) {
        return refcount(index) == 0 && !owners.owned(index);
    }

    /**
     * Allocates {@code n} contiguous clusters at the first free run after the header, as QEMU's
     * alloc_clusters_noref searches for one (block/qcow2-refcount.c), and returns its offset.
     */
    long allocate(int n) throws IOException {
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
            set(c, 1, start, n);
        }
        return start * clusterSize;
    }

    private void set(long index, int value, long runStart, long runLength) throws IOException {
        int per = perBlock();
        long b = index / per;
        // the refcount table does not grow here, unlike QEMU's (block/qcow2-refcount.c, alloc_refcount_block)
        if (b >= reftable.length) {
            throw new IOException("refcount table full: growing it is not supported");
        }
        int bi = (int) b;
        if (reftable[bi] == 0) {
            // a new refcount block lies in the range it describes and counts itself, as QEMU prefers
            // (block/qcow2-refcount.c, alloc_refcount_block)
            long r = -1;
            for (long c = b * per; c < (b + 1) * per; c++) {
                if ((c < runStart || c >= runStart + runLength) && !owners.owned(c)) {
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
            owners.take(r, "refcount block");
            reftableDirty = true;
        }
        refblocks.get(bi)[(int) (index % per)] = (char) value;
        dirtyRefblocks.add(bi);
    }

    /** Drops one reference to every cluster of the range (block/qcow2-refcount.c, qcow2_free_clusters). */
    void free(long offset, long bytes) throws IOException {
        for (long c = offset / clusterSize; c <= (offset + bytes - 1) / clusterSize; c++) {
            int rc = refcount(c);
            if (rc == 0) {
                // QEMU refuses a refcount underflow as corruption (block/qcow2-refcount.c, update_refcount)
                throw new IOException("refcount of cluster " + hex(c * clusterSize) + " would drop below 0");
            }
            set(c, rc - 1, 0, 0);
        }
    }

    /**
     * Writes the changed refcount blocks, then, after a flush, the refcount table if a block was added: a table
     * entry never points to a block not yet on disk (block/qcow2-refcount.c, alloc_refcount_block).
     */
    void write(WriteLayer layer) throws IOException {
        for (int b : dirtyRefblocks) {
            ByteBuffer buf = ByteBuffer.allocate(clusterSize);
            buf.asCharBuffer().put(refblocks.get(b));
            layer.write(reftable[b], buf.array());
        }
        dirtyRefblocks.clear();
        if (reftableDirty) {
            layer.flush();
            ByteBuffer buf = ByteBuffer.allocate(tableClusters * clusterSize);
            buf.asLongBuffer().put(reftable);
            layer.write(tableOffset, buf.array());
            reftableDirty = false;
        }
    }

    /** Offsets of used clusters whose refcount is 0: errors in qemu-img check terms (block/qcow2-refcount.c). */
    List<Long> referencedButUnallocated() {
        List<Long> out = new ArrayList<>();
        for (long c : owners.clusters()) {
            if (refcount(c) == 0) {
                out.add(c * clusterSize);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Offsets of clusters with a refcount that no known structure uses: leaks in qemu-img check terms. */
    List<Long> allocatedButUnreferenced() {
        List<Long> out = new ArrayList<>();
        for (Map.Entry<Integer, char[]> b : new TreeMap<>(refblocks).entrySet()) {
            char[] block = b.getValue();
            for (int i = 0; i < block.length; i++) {
                long c = (long) b.getKey() * perBlock() + i;
                if (block[i] != 0 && !owners.owned(c)) {
                    out.add(c * clusterSize);
                }
            }
        }
        return Collections.unmodifiableList(out);
    }
}
