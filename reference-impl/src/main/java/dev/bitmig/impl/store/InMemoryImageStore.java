package dev.bitmig.impl.store;

import dev.bitmig.model.NodeId;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An image in memory that logs every write with the writing node and whether that node was active at that moment
 * (asked of the system through {@code isActive}, not claimed by the caller).
 */
public final class InMemoryImageStore implements ImageStore {
    private final Predicate<NodeId> isActive;
    private final int[] lastWrite;
    private final TreeMap<String, StoredEntry> directory = new TreeMap<>();
    private final List<StoreWrite> log = new ArrayList<>();
    private boolean autoclear;
    private int clock;
    private Optional<NodeId> owner = Optional.empty();

    public InMemoryImageStore(int clusters, Predicate<NodeId> isActive) {
        this.lastWrite = new int[clusters];
        this.isActive = isActive;
    }

    @Override
    public void restore(int clock, int[] stamps, boolean autoclear, SortedMap<String, StoredEntry> dir,
                        Optional<NodeId> owner) {
        this.clock = clock;
        System.arraycopy(stamps, 0, lastWrite, 0, lastWrite.length);
        this.autoclear = autoclear;
        directory.clear();
        directory.putAll(dir);
        this.owner = owner;
    }

    private void logged(StoreWrite.Op op, NodeId writer, String detail) {
        boolean active = writer != null && isActive.test(writer);
        log.add(new StoreWrite(op, Optional.ofNullable(writer), active, detail));
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
    public void clearAutoclear(NodeId writer) {
        logged(StoreWrite.Op.CLEAR_AUTOCLEAR, writer, "");
        autoclear = false;
    }

    @Override
    public void writeData(NodeId writer, int first, int count) {
        if (count <= 0) {
            return;
        }
        logged(StoreWrite.Op.DATA, writer, first + "+" + count);
        clock++;
        for (int c = first; c < first + count; c++) {
            lastWrite[c] = clock;
        }
    }

    @Override
    public int clock() {
        return clock;
    }

    @Override
    public int[] lastWrite() {
        return lastWrite.clone();
    }

    @Override
    public Optional<NodeId> owner() {
        return owner;
    }

    @Override
    public void setOwner(Optional<NodeId> o) {
        owner = o;
    }

    @Override
    public List<StoreWrite> log() {
        return Collections.unmodifiableList(log);
    }
}
