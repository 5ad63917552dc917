package dev.bitmig.impl.store;

import dev.bitmig.model.NodeId;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The qcow2 image as the bitmap code uses it. Every mutating call names the writer: a node, or {@code null} for a
 * standalone tool. The write lock ({@link #setOwner}) is not an image write.
 */
public interface ImageStore {
    /** Autoclear bit 0: the bitmaps extension is valid. */
    boolean autoclear();

    /** The bitmap directory, sorted by name (a snapshot). */
    SortedMap<String, StoredEntry> loadDirectory();

    /** Whole-directory rewrite; the autoclear bit is set iff the extension has entries. */
    void storeEntries(NodeId writer, SortedMap<String, StoredEntry> directory);

    /** Sets IN_USE of one entry in place. */
    void setInUse(NodeId writer, String name);

    /** Removes one entry (a whole-directory rewrite). */
    void removeEntry(NodeId writer, String name);

    /**
     * The image replaced by a copy of its data that holds exactly {@code directory} (IN_USE clear; autoclear bit 0 set
     * iff there are entries): the copy is written beside the image and takes its place only once complete, as a rename
     * does, so that a failure while it is written leaves the image as it was (qemu-img convert, then mv).
     */
    void replaceWithCopy(NodeId writer, SortedMap<String, StoredEntry> directory);

    /** A tool without bitmap support clears autoclear bit 0 before it writes. */
    void clearAutoclear(NodeId writer);

    /** A data write of clusters [first, first+count): the clock ticks and the clusters are stamped. */
    void writeData(NodeId writer, int first, int count);

    /** Number of data writes the image has seen. */
    int clock();

    /** The clock of the last write of each cluster (0 = never). */
    int[] lastWrite();

    Optional<NodeId> owner();

    /** The volume under the image has run out of space: every write fails with ENOSPC (the bitmap code asks first). */
    boolean full();

    void setFull(boolean full);

    void setOwner(Optional<NodeId> owner);

    /** The image lock goes when the node that holds it gives it up (inactivation, exit): file-posix.c raw_handle_perm_lock. */
    default void releaseLockOf(NodeId node) {
        if (owner().equals(Optional.of(node))) setOwner(Optional.empty());
    }

    /** Every write so far, in order. */
    List<StoreWrite> log();

    /** Restores a given state without logging (for building an implementation from a model world). */
    void restore(int clock, int[] stamps, boolean autoclear, SortedMap<String, StoredEntry> dir, Optional<NodeId> owner);
}
