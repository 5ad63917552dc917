package dev.bitmig.impl.qcow2;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

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
 *
 * <p>This class ties the parts together, along QEMU's seams: the header and its extensions ({@link Qcow2Header},
 * {@link HeaderExtension}; block/qcow2.c), the refcounts ({@link Refcounts}, {@link ClusterOwners};
 * block/qcow2-refcount.c), and the bitmaps ({@link BitmapDirectory}, {@link BitmapTable}, {@link BitmapData},
 * {@link DirectoryRewrite}, {@link InPlaceFlagUpdate}; block/qcow2-bitmap.c).
 */
public final class Qcow2Image implements Closeable {

    public static final int MAGIC = Qcow2Header.MAGIC;
    public static final int DEFAULT_CLUSTER_BITS = 16;
    public static final int MIN_CLUSTER_BITS = Qcow2Header.MIN_CLUSTER_BITS;
    public static final int MAX_CLUSTER_BITS = Qcow2Header.MAX_CLUSTER_BITS;
    /** Autoclear feature bit 0: the bitmaps extension is consistent. */
    public static final long AUTOCLEAR_BITMAPS = Qcow2Header.AUTOCLEAR_BITMAPS;
    public static final int EXT_END = HeaderExtension.EXT_END;
    public static final int EXT_BITMAPS = HeaderExtension.EXT_BITMAPS;
    public static final int EXT_FEATURE_TABLE = HeaderExtension.EXT_FEATURE_TABLE;
    /** Incompatible feature bits defined by the specification (dirty, corrupt, external data file, compression
     * type, extended L2). */
    public static final long KNOWN_INCOMPATIBLE = Qcow2Header.KNOWN_INCOMPATIBLE;
    public static final long INCOMPATIBLE_DIRTY = Qcow2Header.INCOMPATIBLE_DIRTY;
    public static final long INCOMPATIBLE_CORRUPT = Qcow2Header.INCOMPATIBLE_CORRUPT;

    public static final int MAX_BITMAPS = BitmapDirectory.MAX_BITMAPS;
    public static final long MAX_DIRECTORY_SIZE = BitmapDirectory.MAX_DIRECTORY_SIZE;
    public static final int MIN_GRANULARITY_BITS = BitmapDirectory.MIN_GRANULARITY_BITS;
    public static final int MAX_GRANULARITY_BITS = BitmapDirectory.MAX_GRANULARITY_BITS;
    public static final int MAX_NAME_SIZE = BitmapDirectory.MAX_NAME_SIZE;
    public static final long MAX_TABLE_SIZE = BitmapTable.MAX_TABLE_SIZE;
    public static final long MAX_PHYS_SIZE = BitmapTable.MAX_PHYS_SIZE;
    /** Largest bitmap (in granules) this implementation loads into memory. */
    public static final long MAX_GRANULES = BitmapData.MAX_GRANULES;
    /** Largest disk size accepted. */
    public static final long MAX_DISK_SIZE = Qcow2Header.MAX_DISK_SIZE;

    static final long TABLE_ENTRY_OFFSET = BitmapTable.ENTRY_OFFSET;
    static final long TABLE_ENTRY_ALL_ONES = BitmapTable.ENTRY_ALL_ONES;

    private final WriteLayer layer;
    private boolean broken;
    private ImageState state;

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
        FreshImage.write(layer, diskSizeBytes, clusterBits);
        Qcow2Image img = new Qcow2Image(layer);
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

    /** Re-reads everything from the device. */
    private void reload() throws IOException {
        state = ImageState.read(layer);
    }

    // ------------------------------------------------------------------------------------------------ queries

    private Qcow2Header header() {
        return state.header();
    }

    public int clusterSize() {
        return header().clusterSize();
    }

    public int clusterBits() {
        return header().clusterBits();
    }

    /** Virtual disk size in bytes. */
    public long diskSize() {
        return header().diskSize();
    }

    /**
     * The bytes every bitmap covers: the disk size in whole 512-byte sectors, as QEMU sees the disk
     * ({@code qcow2_do_open}: {@code total_sectors = size / 512}). Differs from {@link #diskSize()} only for a header
     * size that is not whole sectors, which no QEMU tool writes and {@link #create} refuses.
     */
    public long bitmapCoverage() {
        return header().bitmapCoverage();
    }

    public long incompatibleFeatures() {
        return header().incompatibleFeatures();
    }

    public long compatibleFeatures() {
        return header().compatibleFeatures();
    }

    public long autoclearFeatures() {
        return header().autoclearFeatures();
    }

    /** Whether the header carries a bitmaps extension, consistent or not. */
    public boolean hasBitmapsExtension() {
        return header().hasBitmapsExtension();
    }

    /** Whether the bitmaps extension is present and valid (autoclear bit 0 set). */
    public boolean bitmapsConsistent() {
        return header().bitmapsConsistent();
    }

    /** The bitmap directory; empty when there is no consistent bitmaps extension. */
    public List<BitmapDirectoryEntry> bitmaps() {
        return state.directory().entries();
    }

    public Optional<BitmapDirectoryEntry> bitmap(String name) {
        return state.directory().find(name);
    }

    /** Number of table entries a consistent bitmap needs for this disk at {@code granularityBits}. */
    public long tableEntriesFor(int granularityBits) {
        return BitmapTable.entriesFor(header(), granularityBits);
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
        return BitmapData.read(layer, header(), e, state.directory().tables().get(name));
    }

    /**
     * What is physically on the image, for a store that shows it whole: every directory entry even while autoclear
     * bit 0 is clear (QEMU then ignores them), with each entry's data even when it is IN_USE. The image is validated
     * as on open; nothing is written.
     */
    public SortedMap<String, Qcow2Bitmap> physicalBitmaps(Map<String, BitmapDirectoryEntry> entriesOut)
            throws IOException {
        checkUsable();
        BitmapDirectory dir = state.physicalDirectory(layer);
        SortedMap<String, Qcow2Bitmap> out = new TreeMap<>();
        for (BitmapDirectoryEntry e : dir.entries()) {
            out.put(e.name(), BitmapData.read(layer, header(), e, dir.tables().get(e.name())));
            entriesOut.put(e.name(), e);
        }
        return out;
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
        Map<String, Qcow2Bitmap> byName = DirectoryRewrite.checkStore(state, bitmaps, owned);
        update(() -> DirectoryRewrite.store(layer, state, byName));
    }

    /** Removes one entry with a whole-directory rewrite and frees its clusters. */
    public void removeBitmap(String name) throws IOException {
        checkWritable();
        BitmapDirectoryEntry e = bitmap(name).orElseThrow(() -> new IllegalArgumentException(
                "no bitmap '" + name + "' in the image"));
        update(() -> DirectoryRewrite.remove(layer, state, e));
    }

    /**
     * Changes the flags of existing entries in place, as QEMU does when it marks bitmaps IN_USE on load: (a) clear
     * autoclear bit 0 and sync the header, (b) rewrite the directory in place, (c) sync, (d) set bit 0 and sync.
     */
    public void updateFlagsInPlace(Map<String, Integer> flagsByName) throws IOException {
        checkWritable();
        byte[] dir = InPlaceFlagUpdate.plan(state, flagsByName);
        update(() -> InPlaceFlagUpdate.apply(layer, state, dir));
    }

    /** Clears autoclear bit 0 and nothing else, as a tool without bitmap support must before it writes. */
    public void clearAutoclearBit0() throws IOException {
        checkWritable();
        if ((autoclearFeatures() & AUTOCLEAR_BITMAPS) == 0) {
            return;
        }
        // a writer that does not know an autoclear bit clears it (docs/interop/qcow2.txt)
        writeHeader(header().bitmaps(), autoclearFeatures() & ~AUTOCLEAR_BITMAPS);
    }

    /**
     * Rewrites the header without the bitmaps extension and with autoclear bit 0 clear. The directory, tables and
     * data clusters leak, as in QEMU.
     */
    public void dropBitmapsExtension() throws IOException {
        checkWritable();
        // QEMU drops an extension that autoclear bit 0 no longer vouches for (block/qcow2.c, qcow2_read_extensions)
        writeHeader(null, autoclearFeatures() & ~AUTOCLEAR_BITMAPS);
    }

    /** Clears the autoclear bits this implementation does not know (all but bit 0), as a writable QEMU open does. */
    public void clearUnknownAutoclearBits() throws IOException {
        checkWritable();
        if ((autoclearFeatures() & ~AUTOCLEAR_BITMAPS) == 0) {
            return;
        }
        // a read-write open clears the autoclear bits QEMU does not know (block/qcow2.c, qcow2_do_open)
        writeHeader(header().bitmaps(), autoclearFeatures() & AUTOCLEAR_BITMAPS);
    }

    @Override
    public void close() throws IOException {
        layer.close();
    }

    // ------------------------------------------------------------------------------------------------ internals

    /** The body of an update: writes to the device, planned from the current state. */
    private interface Writes {
        void run() throws IOException;
    }

    /** Runs {@code writes} and re-reads the image; any exception leaves the object refusing further use. */
    private void update(Writes writes) throws IOException {
        broken = true;
        writes.run();
        reload();
        broken = false;
    }

    /** One header write with the given bitmaps extension ({@code null}: none) and autoclear bits, then a flush. */
    private void writeHeader(HeaderExtension.Bitmaps bitmaps, long autoclear) throws IOException {
        update(() -> {
            layer.write(0, header().encode(bitmaps, autoclear));
            layer.flush();
        });
    }

    private void checkUsable() {
        if (broken) {
            throw new IllegalStateException("an earlier update failed; reopen the image");
        }
    }

    private void checkWritable() throws IOException {
        checkUsable();
        if (header().dirtyOrCorrupt()) {
            throw new IOException("image has the dirty or corrupt incompatible feature bit set; repair it first");
        }
    }

    // ------------------------------------------------------------------------------------------------ views

    /** Refcount of cluster {@code index} (0 when no refcount block covers it). */
    int refcount(long index) {
        return state.refcounts().refcount(index);
    }

    /** File offset of the bitmaps extension's data (nb_bitmaps field), or 0 when absent. */
    long bitmapsExtensionOffset() {
        return hasBitmapsExtension() ? header().bitmaps().dataOffset() : 0;
    }

    /** The bitmap directory's offset, or 0 when there is no bitmaps extension. */
    long directoryOffset() {
        return hasBitmapsExtension() ? header().bitmaps().directoryOffset() : 0;
    }

    /** The bitmap directory's size in bytes, or 0 when there is no bitmaps extension. */
    long directorySize() {
        return hasBitmapsExtension() ? header().bitmaps().directorySize() : 0;
    }

    long refcountTableOffset() {
        return header().refcountTableOffset();
    }

    long[] table(String name) {
        return state.directory().tables().get(name).clone();
    }

    /**
     * Clusters this implementation knows to be referenced (header, refcount structures, L1 table, bitmap
     * directory, tables and data) whose refcount is 0: errors in qemu-img check terms.
     */
    public List<Long> referencedButUnallocated() {
        return state.refcounts().referencedButUnallocated();
    }

    /**
     * Clusters with a non-zero refcount that no structure known here references: leaks, provided the image holds
     * no guest data, L2 tables or snapshots.
     */
    public List<Long> allocatedButUnreferenced() {
        return state.refcounts().allocatedButUnreferenced();
    }
}
