package dev.bitmig.impl.store;

import dev.bitmig.model.NodeId;

import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An image in memory that logs every write with the writing node and whether that node was active at that moment
 * (asked of the system through {@code isActive}, not claimed by the caller).
 */
public final class InMemoryImageStore extends LoggedImageStore {
    private final TreeMap<String, StoredEntry> directory = new TreeMap<>();
    private boolean autoclear;

    public InMemoryImageStore(int clusters, Predicate<NodeId> isActive) {
        super(clusters, isActive);
    }

    @Override
    public void restore(int clock, int[] stamps, boolean autoclear, SortedMap<String, StoredEntry> dir,
                        Optional<NodeId> owner) {
        restoreData(clock, stamps, owner);
        this.autoclear = autoclear;
        directory.clear();
        directory.putAll(dir);
    }

    @Override
    public boolean autoclear() {
        return autoclear;
    }

    @Override
    public SortedMap<String, StoredEntry> loadDirectory() {
        return new TreeMap<>(directory);
    }

    @Override
    public void storeEntries(NodeId writer, SortedMap<String, StoredEntry> dir) {
        logged(StoreWrite.Op.DIRECTORY, writer, String.join(",", dir.keySet()));
        directory.clear();
        directory.putAll(dir);
        autoclear = !directory.isEmpty();
    }

    @Override
    public void setInUse(NodeId writer, String name) {
        logged(StoreWrite.Op.SET_IN_USE, writer, name);
        StoredEntry e = directory.get(name);
        if (e != null) {
            directory.put(name, e.withInUse(true));
        }
    }

    @Override
    public void removeEntry(NodeId writer, String name) {
        logged(StoreWrite.Op.REMOVE_ENTRY, writer, name);
        directory.remove(name);
        autoclear = !directory.isEmpty();
    }

    @Override
    public void replaceWithCopy(NodeId writer, SortedMap<String, StoredEntry> dir) {
        logged(StoreWrite.Op.REPLACED_BY_COPY, writer, String.join(",", dir.keySet()));
        TreeMap<String, StoredEntry> copy = new TreeMap<>();
        dir.forEach((name, e) -> copy.put(name, e.withInUse(false)));
        directory.clear();
        directory.putAll(copy);
        autoclear = !directory.isEmpty();
    }

    @Override
    public void clearAutoclear(NodeId writer) {
        logged(StoreWrite.Op.CLEAR_AUTOCLEAR, writer, "");
        autoclear = false;
    }
}
