package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;
import io.vavr.collection.Vector;
import io.vavr.control.Option;

/**
 * The shared qcow2 image.
 *
 * @param clock     logical clock: the number of writes the image has seen
 * @param lastWrite per cluster, the clock of its last write (0 = never written)
 * @param autoclear autoclear bit 0: the bitmaps extension is valid (docs/interop/qcow2.txt)
 * @param directory the stored bitmap directory, by name
 * @param owner     the node that holds the image's write lock: active read-write, or ejected after it took the lock
 * @param full      the volume under the image has run out of space: every write to the image fails with ENOSPC
 *                  (a thin pool or a quota that ran out answers so even for overwrites; reads still work)
 */
public record Image(int clock, Vector<Integer> lastWrite, boolean autoclear,
                    SortedMap<String, StoredBitmap> directory, Option<NodeId> owner, boolean full) {

    /** An image on a volume with space. */
    public Image(int clock, Vector<Integer> lastWrite, boolean autoclear, SortedMap<String, StoredBitmap> directory,
                 Option<NodeId> owner) {
        this(clock, lastWrite, autoclear, directory, owner, false);
    }

    public static Image fresh(Geometry geometry) {
        return new Image(0, Vector.fill(geometry.clusters(), () -> 0), false, TreeMap.empty(), Option.none());
    }

    /** A data write: advances the clock and stamps the clusters. */
    public Image written(SortedSet<Integer> clusters) {
        if (clusters.isEmpty()) {
            return this;
        }
        int now = clock + 1;
        Vector<Integer> stamps = lastWrite;
        for (int c : clusters) {
            stamps = stamps.update(c, now);
        }
        return new Image(now, stamps, autoclear, directory, owner, full);
    }

    /** Entries that would load as consistent bitmaps: the extension is valid and IN_USE is clear. */
    public SortedMap<String, StoredBitmap> consistentEntries() {
        return autoclear ? directory.filter((n, e) -> !e.inUse()) : TreeMap.empty();
    }

    public Image withAutoclear(boolean a) {
        return new Image(clock, lastWrite, a, directory, owner, full);
    }

    /** Whole-directory rewrite: the autoclear bit is set iff the extension has entries (block/qcow2-bitmap.c). */
    public Image withDirectory(SortedMap<String, StoredBitmap> d) {
        return new Image(clock, lastWrite, !d.isEmpty(), d, owner, full);
    }

    public Image withOwner(Option<NodeId> o) {
        return new Image(clock, lastWrite, autoclear, directory, o, full);
    }

    public Image withFull(boolean f) {
        return new Image(clock, lastWrite, autoclear, directory, owner, f);
    }

    /** Whether a data write of these clusters allocates: qcow2 allocates a cluster at its first write (lastWrite 0). */
    public boolean allocates(SortedSet<Integer> clusters) {
        return clusters.exists(c -> lastWrite.get(c) == 0);
    }
}
