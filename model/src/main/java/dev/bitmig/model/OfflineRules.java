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
 * therefore comes back as it was unless the command changed it. Unlike the model's other tools, qemu-img is refused by
 * a QEMU whose node was ejected by a failed reactivation too: block.c bdrv_activate activates the file child first and
 * refreshes its permissions, and the qcow2 node's failure does not give them back (seen on QEMU 7.2.22 and 10.0.2).
 * {@link JobRules} extends this class.
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
        // Image locking (block/file-posix.c raw_check_lock_bytes): img_open fails while a QEMU holds the image's
        // locks, an ejected node's included (block.c bdrv_activate keeps the permissions it took, D4).
        if (w.source().holdsLocks() || w.target().holdsLocks()) return rejected(QemuErrors.WRITE_LOCK);
        if (w.image().full()) return rejected(QemuErrors.TOOL_ON_FULL_VOLUME);
        // R12 (block/qcow2.c qcow2_read_extensions): a clear autoclear bit drops every entry; the read-write open
        // rewrites the header before the operation runs.
        World opened = openedReadWrite(w);
        SortedMap<String, StoredBitmap> dir = opened.image().directory();
        Option<String> refused = refusal(a, dir);
        // A refused operation after the open dropped the entries: QEMU's error, and the drop stays.
        if (refused.isDefined() && opened != w) return failed(opened, refused.get());
        if (refused.isDefined()) return rejected(refused.get());

        return next(edited(opened, a));
    }

    /**
     * qemu-img.c img_check with -r all: img_open(BDRV_O_RDWR | BDRV_O_CHECK) takes the write lock; block/qcow2.c
     * qcow2_co_check_locked repairs refcounts and leaks only (qcow2_check_bitmaps_refcounts in block/qcow2-bitmap.c
     * counts the bitmaps' clusters), so an IN_USE entry stays IN_USE, and the close stores the rest as they were.
     */
    @Override
    public Outcome visit(Action.ImgCheck a) {
        // Image locking (block/file-posix.c raw_check_lock_bytes): img_open fails while a QEMU holds the image's
        // locks, an ejected node's included (block.c bdrv_activate keeps the permissions it took, D4).
        if (w.source().holdsLocks() || w.target().holdsLocks()) return rejected(QemuErrors.WRITE_LOCK);
        if (w.image().full()) return rejected(QemuErrors.TOOL_ON_FULL_VOLUME);

        return next(openedReadWrite(w));
    }

    /**
     * qemu-img.c img_convert -f qcow2 -O qcow2 --bitmaps [--skip-broken-bitmaps] IMAGE IMAGE.new, then IMAGE.new
     * renamed over IMAGE: the source is opened read-only (src_flags BDRV_O_NO_SHARE without BDRV_O_RDWR), its bitmaps
     * checked (convert_check_bitmaps), the data copied (convert_do_copy), then the bitmaps (convert_copy_bitmaps).
     */
    @Override
    public Outcome visit(Action.ImgConvert a) {
        // The rename replaces a file that a running QEMU may still have open (it would keep the old inode), so the
        // workflow runs only while both QEMUs are off; then no QEMU holds a lock (Node.holdsLocks needs a running
        // one) and img_open's own lock refusal (block/file-posix.c raw_check_lock_bytes, no -U) cannot arise.
        if (w.source().isOn() || w.target().isOn()) return rejected(QemuErrors.CONVERT_WHILE_OPEN);
        if (w.image().full()) return rejected(QemuErrors.TOOL_ON_FULL_VOLUME);
        // R12 on a read-only open (block/qcow2.c qcow2_read_extensions): a clear autoclear bit loads no bitmap and
        // rewrites nothing; R3 (block/qcow2-bitmap.c qcow2_load_dirty_bitmaps): an IN_USE entry loads inconsistent.
        SortedMap<String, StoredBitmap> loaded = w.image().autoclear() ? w.image().directory() : io.vavr.collection.TreeMap.empty();
        Option<String> broken = firstInconsistent(loaded);
        // qemu-img.c convert_check_bitmaps: without --skip-broken-bitmaps an inconsistent bitmap stops convert before
        // it copies anything, and the image stays as it was.
        if (!a.skipBroken() && broken.isDefined()) return rejected(QemuErrors.cannotCopyInconsistent(broken.get()));

        return next(converted(w, loaded));
    }

    /**
     * The inconsistent bitmap convert_check_bitmaps names: FOR_EACH_DIRTY_BITMAP walks the newest-loaded first
     * (block/dirty-bitmap.c bdrv_create_dirty_bitmap inserts at the head), so the IN_USE entry furthest in the
     * directory. The model's directory is sorted by name: QEMU's is in creation order, the same for bitmaps added in
     * name order.
     */
    private static Option<String> firstInconsistent(SortedMap<String, StoredBitmap> loaded) {
        return loaded.filter((n, e) -> e.inUse()).keySet().lastOption();
    }

    /**
     * qemu-img.c convert_copy_bitmaps: each persistent bitmap loaded, but with --skip-broken-bitmaps not an
     * inconsistent one ("Skipping inconsistent bitmap '%s'", a warning: its entry was already unavailable, R3), is
     * added to the copy with its granularity and its enabled state (AUTO) and merged with its bits; the copy's close
     * stores them IN_USE clear and sets autoclear bit 0 iff it has entries. The data, and with it every lineage's
     * truth, is the same in the copy; the copied entries keep their lineages. A copy equal to the image is the very
     * world it was given (the explorer's self-loop).
     */
    private static World converted(World w, SortedMap<String, StoredBitmap> loaded) {
        Image copy = w.image().withDirectory(loaded.filter((n, e) -> !e.inUse()));
        return copy.equals(w.image()) ? w : w.withImage(copy);
    }

    /**
     * The operation's own checks on the loaded bitmaps, in QEMU's order (an IN_USE entry loads inconsistent, R3),
     * each printed by qemu-img.c img_bitmap as "Operation OP on bitmap NAME failed: ERROR".
     */
    private static Option<String> refusal(Action.ImgBitmap a, SortedMap<String, StoredBitmap> dir) {
        // bitmap-qmp-cmds.c qmp_block_dirty_bitmap_add (persistent=true): the name, the granularity (-g), then
        // bdrv_create_dirty_bitmap's "Bitmap already exists", which an entry loaded inconsistent triggers too.
        if (a.op() == Action.ImgOp.ADD && a.name().isEmpty()) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.EMPTY_NAME));
        if (a.op() == Action.ImgOp.ADD && a.name().getBytes(StandardCharsets.UTF_8).length > QemuErrors.MAX_NAME_BYTES) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.nameTooLong(a.name())));
        if (a.op() == Action.ImgOp.ADD && !Granules.isPowerOfTwo(a.granularity())) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.BAD_GRANULARITY));
        if (a.op() == Action.ImgOp.ADD && a.granularity() > Granules.MAX_GRANULARITY) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.BAD_GRANULARITY));
        if (a.op() == Action.ImgOp.ADD && dir.containsKey(a.name())) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.alreadyExists(a.name())));
        // bitmap-qmp-cmds.c block_dirty_bitmap_lookup; block_dirty_bitmap_merge looks the source up next.
        if (a.op() != Action.ImgOp.ADD && !dir.containsKey(a.name())) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.notFound(a.name())));
        if (a.op() == Action.ImgOp.MERGE && !dir.containsKey(a.source())) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.notFound(a.source())));
        // block/dirty-bitmap.c bdrv_dirty_bitmap_check (clear, enable, disable; bdrv_merge_dirty_bitmap: target first);
        // block_dirty_bitmap_remove checks BUSY|RO only: an inconsistent bitmap goes.
        if (a.op() != Action.ImgOp.ADD && a.op() != Action.ImgOp.REMOVE && dir.get(a.name()).get().inUse()) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.inconsistent(a.name())));
        if (a.op() == Action.ImgOp.MERGE && dir.get(a.source()).get().inUse()) return Option.some(QemuErrors.imgOperationFailed(a.op().word(), a.name(), QemuErrors.inconsistent(a.source())));
        return Option.none();
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
