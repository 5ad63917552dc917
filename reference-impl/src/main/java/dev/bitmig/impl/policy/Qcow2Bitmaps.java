package dev.bitmig.impl.policy;

import dev.bitmig.impl.Fault;
import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.impl.store.StoredEntry;
import dev.bitmig.model.CanaryPolicy;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.QemuErrors;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Moving bitmaps between RAM and the image (block/qcow2-bitmap.c): store (R2), load (R3, R12). Each operation has a
 * side-effect-free check that the caller runs first, so that a failing operation changes nothing.
 */
public final class Qcow2Bitmaps {
    private Qcow2Bitmaps() {
    }

    /** R2: the bitmaps that a store writes: persistent && !skip_store && !inconsistent && !readonly. */
    public static List<String> toStore(BlockNode n, Set<String> excluded) {
        List<String> out = new ArrayList<>();
        n.bitmaps().forEach((name, b) -> {
            if (!excluded.contains(name) && b.persistence() && !b.inconsistent() && !b.readonly()) {
                out.add(name);
            }
        });
        return out;
    }

    /** QEMU never overwrites an entry it does not own: a same-named entry without IN_USE fails the store. */
    public static Optional<String> storeConflict(Host h, NodeId id, Set<String> excluded) {
        SortedMap<String, StoredEntry> dir = h.image().loadDirectory();
        for (String name : toStore(h.node(id), excluded)) {
            StoredEntry e = dir.get(name);
            if (e != null && !e.inUse()) {
                return Optional.of(QemuErrors.existsInImage(name));
            }
        }
        // qcow2_store_persistent_dirty_bitmaps: can_write() fails on a read-only node that has something to store.
        List<String> names = toStore(h.node(id), excluded);
        if (h.node(id).readOnly() && !names.isEmpty()) {
            return Optional.of(QemuErrors.NO_WRITE_ACCESS);
        }
        // store_bitmap: a full volume refuses the first bitmap's clusters.
        if (h.image().full() && !names.isEmpty()) {
            return Optional.of(QemuErrors.cannotWriteBitmap(names.get(0)));
        }
        return Optional.empty();
    }

    /** R2 (qcow2_store_persistent_dirty_bitmaps), after {@link #storeConflict} said yes; with release (fe16c7ddf8). */
    public static void store(Host h, NodeId id, boolean release) {
        BlockNode n = h.node(id);
        List<String> names = toStore(n, Set.of());
        ImageStore image = h.image();
        if (!names.isEmpty()) {
            SortedMap<String, StoredEntry> dir = image.loadDirectory();
            for (String name : names) {
                DirtyBitmap b = n.bitmap(name);
                dir.put(name, new StoredEntry(b.granularityBytes(), false, b.enabled(), Disk.serialize(b.reported())));
            }
            image.storeEntries(id, dir);
        }
        if (release) {
            n.bitmaps().keySet().removeIf(name -> names.contains(name)
                    || (n.bitmap(name).readonly() && !h.has(Fault.H4_READONLY_BITMAPS_NOT_RELEASED)));
        }
    }

    /** The directory as a load sees it: a cleared autoclear bit hides every entry (R12). */
    static SortedMap<String, StoredEntry> visible(boolean autoclear, SortedMap<String, StoredEntry> dir) {
        return autoclear ? dir : new TreeMap<>();
    }

    /** A name clash between the image's entries and RAM fails the whole load. */
    public static Optional<String> loadConflict(Host h, boolean writable, Collection<String> ram, boolean autoclear,
                                                SortedMap<String, StoredEntry> dir) {
        Optional<String> clash = nameClash(h, ram, autoclear, dir);
        if (clash.isPresent() || !writable || !h.image().full()) return clash;
        // qcow2_do_open on a full volume: the header rewrite of R12, or the in-place IN_USE update, is refused.
        if (!autoclear && !dir.isEmpty()) return Optional.of(QemuErrors.HEADER_NO_SPACE);
        boolean marks = !h.has(Fault.STORE_NO_IN_USE_ON_OPEN) && visible(autoclear, dir).entrySet().stream()
                .anyMatch(e -> !e.getValue().inUse() && !ram.contains(e.getKey()));
        return marks ? Optional.of(QemuErrors.DIRECTORY_NO_SPACE) : Optional.empty();
    }

    private static Optional<String> nameClash(Host h, Collection<String> ram, boolean autoclear,
                                              SortedMap<String, StoredEntry> dir) {
        for (var e : visible(autoclear, dir).entrySet()) {
            boolean inRam = ram.contains(e.getKey());
            if (inRam && e.getValue().inUse() && !h.has(Fault.H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP)) {
                continue;
            }
            if (inRam) {
                return Optional.of(QemuErrors.alreadyExists(e.getKey()));
            }
        }
        return Optional.empty();
    }

    public static Optional<String> loadConflict(Host h, NodeId id) {
        return loadConflict(h, !h.node(id).readOnly(), h.node(id).bitmaps().keySet(), h.image().autoclear(),
                h.image().loadDirectory());
    }

    /** R3 and R12 (qcow2_load_dirty_bitmaps), after {@link #loadConflict} said yes. */
    public static void load(Host h, NodeId id) {
        BlockNode n = h.node(id);
        boolean writable = !n.readOnly();
        ImageStore image = h.image();
        SortedMap<String, StoredEntry> dir = image.loadDirectory();
        if (!image.autoclear() && !dir.isEmpty()) {
            // R12: a program lacking bitmap support modified the file; a writable open rewrites the extension.
            dir = new TreeMap<>();
            if (writable) {
                image.storeEntries(id, dir);
            }
        }
        List<String> toMark = new ArrayList<>();
        for (var entry : dir.entrySet()) {
            String name = entry.getKey();
            StoredEntry e = entry.getValue();
            if (h.has(Fault.CANARY_NOT_RECORDED_BY_TARGET) && id == NodeId.TARGET && name.equals(CanaryPolicy.nameFor(NodeId.SOURCE))) {
                continue;
            }
            if (n.bitmaps().containsKey(name)) {
                continue; // an IN_USE entry of a bitmap that is already in RAM (a505475b95)
            }
            if (e.inUse()) {
                DirtyBitmap b = new DirtyBitmap(e.granularityBytes(), h.disk().newBits(e.granularityBytes()), true, false);
                b.setInconsistent(true);
                n.bitmaps().put(name, b);
            } else {
                HBitmap bits = h.disk().deserialize(e.granularityBytes(), e.data());
                DirtyBitmap b = new DirtyBitmap(e.granularityBytes(), bits, true, e.auto());
                b.setReadonly(!writable);
                n.bitmaps().put(name, b);
                if (writable && !h.has(Fault.STORE_NO_IN_USE_ON_OPEN)) {
                    toMark.add(name);
                }
            }
        }
        for (String name : toMark) {
            image.setInUse(id, name);
        }
    }

    /** R6: activation resets skip_store on every bitmap of the node. */
    public static void resetSkipStore(Host h, NodeId id) {
        if (h.has(Fault.H1_SKIP_STORE_NOT_RESET_ON_ACTIVATION)) {
            return;
        }
        h.node(id).bitmaps().values().forEach(b -> b.setSkipStore(false));
    }

    /** A policy's documented drop. */
    public static void drop(Host h, NodeId id, Collection<String> names) {
        h.node(id).bitmaps().keySet().removeAll(List.copyOf(names));
    }
}
