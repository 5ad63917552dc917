package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.control.Option;

import java.nio.charset.StandardCharsets;

import static dev.bitmig.model.Outcome.failed;
import static dev.bitmig.model.Outcome.next;
import static dev.bitmig.model.Outcome.rejected;

/**
 * The rules of qemu-img's offline edits, in the same shape as {@link Transitions}': guards first, then the effect,
 * each rule citing QEMU. qemu-img is a QEMU of its own for one command: it opens the image read-write, which takes the
 * write lock and loads the bitmaps (R12, R3: an IN_USE entry loads inconsistent), runs the command, and closes the
 * image, which stores the consistent bitmaps (R2) and leaves the inconsistent ones' entries IN_USE. A consistent entry
 * therefore comes back as it was unless the command changed it. {@link JobRules} extends this class.
 */
abstract class OfflineRules implements Action.Visitor<Outcome> {
    private final World w;
    private final Geometry geometry;

    OfflineRules(World w, Geometry geometry) {
        this.w = w;
        this.geometry = geometry;
    }

    /**
     * qemu-img.c img_bitmap: img_open(BDRV_O_RDWR), then each operation through the QMP command's own function; a
     * failed one is printed as "Operation OP on bitmap NAME failed: ERROR" and the image is closed all the same.
     */
    @Override
    public Outcome visit(Action.ImgBitmap a) {
        // Image locking (block/file-posix.c raw_check_lock_bytes): img_open fails while a QEMU holds the image active.
        if (w.source().isActive() || w.target().isActive()) return rejected(QemuErrors.WRITE_LOCK);
        // R12 (block/qcow2.c qcow2_read_extensions): a clear autoclear bit drops every entry; the read-write open
        // rewrites the header before the operation runs, so the drop stays even when the operation then fails.
        World opened = openedReadWrite(w);
        Option<String> refused = refusal(a, opened.image().directory());
        if (refused.isDefined()) {
            String error = QemuErrors.imgOperationFailed(a.op().word(), a.name(), refused.get());
            return opened == w ? rejected(error) : failed(opened, error);
        }

        return next(edited(opened, a));
    }

    /**
     * qemu-img.c img_check with -r all: img_open(BDRV_O_RDWR | BDRV_O_CHECK) takes the write lock; block/qcow2.c
     * qcow2_co_check_locked repairs refcounts and leaks only (qcow2_check_bitmaps_refcounts in block/qcow2-bitmap.c
     * counts the bitmaps' clusters), so an IN_USE entry stays IN_USE, and the close stores the rest as they were.
     */
    @Override
    public Outcome visit(Action.ImgCheck a) {
        // Image locking (block/file-posix.c raw_check_lock_bytes): img_open fails while a QEMU holds the image active.
        if (w.source().isActive() || w.target().isActive()) return rejected(QemuErrors.WRITE_LOCK);

        // R12 (block/qcow2.c qcow2_read_extensions): the read-write open drops every entry when autoclear bit 0 is clear.
        return next(openedReadWrite(w));
    }

    // ---------------------------------------------------------------- the operations' guards, in QEMU's order

    private Option<String> refusal(Action.ImgBitmap a, SortedMap<String, StoredBitmap> dir) {
        switch (a.op()) {
            case ADD:
                return addRefusal(a, dir);
            case REMOVE:
                // block/monitor/bitmap-qmp-cmds.c block_dirty_bitmap_remove: BUSY|RO only; an inconsistent one goes.
                return found(dir, a.name());
            case MERGE:
                return mergeRefusal(a.name(), a.source(), dir);
            default:
                // qmp_block_dirty_bitmap_clear (BDRV_BITMAP_DEFAULT), _enable and _disable (BDRV_BITMAP_ALLOW_RO).
                return usable(dir, a.name());
        }
    }

    /**
     * block/monitor/bitmap-qmp-cmds.c qmp_block_dirty_bitmap_add with persistent=true (img_bitmap passes it): the name,
     * the granularity (-g, in bytes), then bdrv_create_dirty_bitmap's "Bitmap already exists", which an entry loaded
     * inconsistent triggers too.
     */
    private static Option<String> addRefusal(Action.ImgBitmap a, SortedMap<String, StoredBitmap> dir) {
        if (a.name().isEmpty()) return Option.some(QemuErrors.EMPTY_NAME);
        if (a.name().getBytes(StandardCharsets.UTF_8).length > QemuErrors.MAX_NAME_BYTES) {
            return Option.some(QemuErrors.nameTooLong(a.name()));
        }
        if (!Granules.isPowerOfTwo(a.granularity()) || a.granularity() > Granules.MAX_GRANULARITY) {
            return Option.some(QemuErrors.BAD_GRANULARITY);
        }
        if (dir.containsKey(a.name())) return Option.some(QemuErrors.alreadyExists(a.name()));
        return Option.none();
    }

    /**
     * bitmap-qmp-cmds.c block_dirty_bitmap_merge: the target is looked up, then the source (do_dirty_bitmap_merge
     * names it by node and name), then block/dirty-bitmap.c bdrv_merge_dirty_bitmap checks the target
     * (BDRV_BITMAP_DEFAULT) before the source (BDRV_BITMAP_ALLOW_RO).
     */
    private static Option<String> mergeRefusal(String target, String source, SortedMap<String, StoredBitmap> dir) {
        return found(dir, target).orElse(() -> found(dir, source)).orElse(() -> usable(dir, target))
                .orElse(() -> usable(dir, source));
    }

    /** block/monitor/bitmap-qmp-cmds.c block_dirty_bitmap_lookup. */
    private static Option<String> found(SortedMap<String, StoredBitmap> dir, String name) {
        return dir.containsKey(name) ? Option.none() : Option.some(QemuErrors.notFound(name));
    }

    /** block/dirty-bitmap.c bdrv_dirty_bitmap_check: an entry loaded from IN_USE is inconsistent (R3). */
    private static Option<String> usable(SortedMap<String, StoredBitmap> dir, String name) {
        return found(dir, name).orElse(() -> dir.get(name).get().inUse()
                ? Option.some(QemuErrors.inconsistent(name)) : Option.none());
    }

    // ---------------------------------------------------------------- effects

    /** R12 on a read-write open: a clear autoclear bit drops every entry (the header is rewritten without them). */
    private static World openedReadWrite(World w) {
        Image image = w.image();
        if (image.autoclear() || image.directory().isEmpty()) return w;
        return w.withImage(image.withDirectory(io.vavr.collection.TreeMap.empty()));
    }

    /** What the operation leaves in the directory once the close has stored the bitmaps (R2). */
    private World edited(World w, Action.ImgBitmap a) {
        SortedMap<String, StoredBitmap> dir = w.image().directory();
        switch (a.op()) {
            case ADD: {
                // bdrv_create_dirty_bitmap: empty; --disable runs bdrv_disable_dirty_bitmap next; the store sets AUTO iff enabled.
                int id = w.ghost().nextId();
                StoredBitmap entry = new StoredBitmap(a.granularity(), false, !a.disabled(), Granules.NONE, id);
                return w.withImage(w.image().withDirectory(dir.put(a.name(), entry)))
                        .withGhost(w.ghost().born(id, true, !a.disabled()));
            }
            case REMOVE:
                // block_dirty_bitmap_remove: bdrv_remove_persistent_dirty_bitmap rewrites the directory without it.
                return w.withImage(w.image().withDirectory(dir.remove(a.name())));
            case CLEAR:
                // bdrv_clear_dirty_bitmap: the entry's bits go, and its truth starts again.
                return Effects.emptiedEntry(w, a.name());
            case ENABLE:
            case DISABLE:
                // bdrv_enable_dirty_bitmap / bdrv_disable_dirty_bitmap: the store writes AUTO iff enabled.
                return Effects.entryToggled(w, a.name(), a.op() == Action.ImgOp.ENABLE);
            default: {
                // bdrv_merge_dirty_bitmap_internal: the source's bits, at the target's granularity, join the target's.
                StoredBitmap target = dir.get(a.name()).get();
                StoredBitmap source = dir.get(a.source()).get();
                SortedSet<Integer> merged = target.granules().addAll(
                        Granules.regrain(source.granules(), source.granularity(), target.granularity(), geometry));
                return w.withImage(w.image().withDirectory(dir.put(a.name(), target.withGranules(merged))));
            }
        }
    }
}
