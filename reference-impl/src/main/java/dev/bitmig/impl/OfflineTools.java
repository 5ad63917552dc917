package dev.bitmig.impl;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.impl.store.StoredEntry;
import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.QemuErrors;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static dev.bitmig.impl.Rejection.reject;

/**
 * qemu-img's offline edits on the image store, as qemu-img does them: open the image read-write (the write lock; a
 * clear autoclear bit drops the bitmaps extension), run one command on the loaded bitmaps, close (qemu-img.c
 * img_bitmap, img_check); and qemu-img convert --bitmaps, which opens the image read-only and writes a second qcow2
 * image that a rename puts in its place (img_convert). Every write names no node: the tool is not a QEMU of the
 * migration.
 */
final class OfflineTools {
    private final ImplSystem sys;
    private final ImageStore image;

    OfflineTools(ImplSystem sys) {
        this.sys = sys;
        this.image = sys.image();
    }

    /** qemu-img bitmap: a refused operation still leaves what the read-write open rewrote. */
    void bitmap(Action.ImgBitmap a) {
        lock();
        if (image.full()) reject(QemuErrors.TOOL_ON_FULL_VOLUME);
        boolean dropped = openReadWrite();
        SortedMap<String, StoredEntry> dir = image.loadDirectory();
        Optional<String> refused = refusal(a, dir);
        if (refused.isPresent()) {
            String error = QemuErrors.imgOperationFailed(a.op().word(), a.name(), refused.get());
            if (dropped) Failure.fail(error);
            reject(error);
        }
        switch (a.op()) {
            case ADD: {
                long bytes = (long) a.granularity() * Disk.CLUSTER;
                dir.put(a.name(), new StoredEntry(bytes, false, !a.disabled(), Disk.serialize(sys.disk().newBits(bytes))));
                image.storeEntries(null, dir);
                break;
            }
            case REMOVE:
                image.removeEntry(null, a.name());
                break;
            case CLEAR: {
                StoredEntry e = dir.get(a.name());
                dir.put(a.name(), e.withData(Disk.serialize(sys.disk().newBits(e.granularityBytes()))));
                image.storeEntries(null, dir);
                break;
            }
            case ENABLE:
            case DISABLE: {
                StoredEntry e = dir.get(a.name());
                dir.put(a.name(), new StoredEntry(e.granularityBytes(), e.inUse(), a.op() == Action.ImgOp.ENABLE, e.data()));
                image.storeEntries(null, dir);
                break;
            }
            default: {
                StoredEntry t = dir.get(a.name());
                StoredEntry s = dir.get(a.source());
                HBitmap bits = sys.disk().deserialize(t.granularityBytes(), t.data());
                bits.mergeFrom(sys.disk().deserialize(s.granularityBytes(), s.data()));
                dir.put(a.name(), t.withData(Disk.serialize(bits)));
                image.storeEntries(null, dir);
                break;
            }
        }
    }

    /** qemu-img check -r all: refcounts only; the open's own rewrite is all that changes the bitmaps. */
    void check() {
        lock();
        if (image.full()) reject(QemuErrors.TOOL_ON_FULL_VOLUME);
        openReadWrite();
    }

    /**
     * qemu-img convert -f qcow2 -O qcow2 --bitmaps [--skip-broken-bitmaps] IMAGE IMAGE.new and the rename over IMAGE:
     * only while no QEMU has the image open; the read-only open loads the entries (none without autoclear bit 0, and
     * rewrites nothing), convert_check_bitmaps refuses an inconsistent one unless told to skip it, and
     * convert_copy_bitmaps copies the others into the new image, which replaces the old one once it is complete.
     */
    void convert(Action.ImgConvert a) {
        for (NodeId id : NodeId.values()) {
            if (sys.node(id).isOn()) reject(QemuErrors.CONVERT_WHILE_OPEN);
        }
        if (image.full()) reject(QemuErrors.TOOL_ON_FULL_VOLUME);
        SortedMap<String, StoredEntry> loaded = image.autoclear() ? image.loadDirectory() : new TreeMap<>();
        SortedMap<String, StoredEntry> copied = new TreeMap<>();
        String broken = null;
        for (var e : loaded.entrySet()) {
            // The list is walked newest-loaded first: the model names the IN_USE entry last in name order.
            if (e.getValue().inUse()) broken = e.getKey();
            else copied.put(e.getKey(), e.getValue());
        }
        if (broken != null && !a.skipBroken()) reject(QemuErrors.cannotCopyInconsistent(broken));
        image.replaceWithCopy(null, copied);
    }

    /**
     * raw_check_lock_bytes (block/file-posix.c): a QEMU with an active node holds the image, and so does one whose
     * reactivation failed (block.c bdrv_activate: the file child stays active with its permissions).
     */
    private void lock() {
        for (NodeId id : NodeId.values()) {
            BlockNode n = sys.node(id);
            if (n.holdsLocks()) reject(QemuErrors.WRITE_LOCK);
        }
    }

    /** qcow2_read_extensions (block/qcow2.c): the extension of an image without autoclear bit 0 is dropped. */
    private boolean openReadWrite() {
        if (image.autoclear() || image.loadDirectory().isEmpty()) return false;
        image.storeEntries(null, new TreeMap<>());
        return true;
    }

    /** The QMP command's own checks on the loaded bitmaps; an IN_USE entry loaded inconsistent. */
    private static Optional<String> refusal(Action.ImgBitmap a, SortedMap<String, StoredEntry> dir) {
        String name = a.name();
        switch (a.op()) {
            case ADD:
                if (name.isEmpty()) return Optional.of(QemuErrors.EMPTY_NAME);
                if (name.getBytes(StandardCharsets.UTF_8).length > QemuErrors.MAX_NAME_BYTES) {
                    return Optional.of(QemuErrors.nameTooLong(name));
                }
                long bytes = (long) a.granularity() * Disk.CLUSTER;
                if (!Disk.validGranularity(bytes)) return Optional.of(QemuErrors.BAD_GRANULARITY);
                return dir.containsKey(name) ? Optional.of(QemuErrors.alreadyExists(name)) : Optional.empty();
            case REMOVE:
                return lookup(dir, name);
            case MERGE:
                return lookup(dir, name).or(() -> lookup(dir, a.source())).or(() -> consistent(dir, name))
                        .or(() -> consistent(dir, a.source()));
            default:
                return lookup(dir, name).or(() -> consistent(dir, name));
        }
    }

    private static Optional<String> lookup(SortedMap<String, StoredEntry> dir, String name) {
        return dir.containsKey(name) ? Optional.empty() : Optional.of(QemuErrors.notFound(name));
    }

    private static Optional<String> consistent(SortedMap<String, StoredEntry> dir, String name) {
        return dir.get(name).inUse() ? Optional.of(QemuErrors.inconsistent(name)) : Optional.empty();
    }
}
