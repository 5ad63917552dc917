package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Option;

import java.nio.charset.StandardCharsets;

import static dev.bitmig.model.Outcome.failed;
import static dev.bitmig.model.Outcome.next;
import static dev.bitmig.model.Outcome.rejected;

/**
 * The rules of the QMP bitmap commands (block/monitor/bitmap-qmp-cmds.c) and of the instant backup, in the same shape
 * as {@link Transitions}': guards first, then the effect, each rule citing QEMU. {@link JobRules} extends this class,
 * and it extends {@link OfflineRules}, so that every rule reads as one visitor.
 */
abstract class BitmapRules extends OfflineRules {
    private final World w;
    private final Geometry geometry;

    BitmapRules(World w, Geometry geometry) {
        super(w, geometry);
        this.w = w;
        this.geometry = geometry;
    }

    /** block/monitor/bitmap-qmp-cmds.c qmp_block_dirty_bitmap_add; R1: nothing is written to the image. */
    @Override
    public Outcome visit(Action.BitmapAdd a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (a.name().isEmpty()) return rejected(QemuErrors.EMPTY_NAME);
        if (a.name().getBytes(StandardCharsets.UTF_8).length > QemuErrors.MAX_NAME_BYTES) {
            return rejected(QemuErrors.nameTooLong(a.name()));
        }
        // The granularity is a uint32 of bytes: 512 B (a cluster here) up to 2 GiB.
        if (!Granules.isPowerOfTwo(a.granularity()) || a.granularity() > Granules.MAX_GRANULARITY) {
            return rejected(QemuErrors.BAD_GRANULARITY);
        }
        // D4: bdrv_can_store_new_dirty_bitmap, then bdrv_create_dirty_bitmap's bdrv_getlength, fail without a driver.
        if (n.block() == BlockState.EJECTED && a.persistent()) return rejected(QemuErrors.NO_MEDIUM_STORE);
        if (n.bitmaps().containsKey(a.name())) return rejected(QemuErrors.alreadyExists(a.name()));
        if (n.block() == BlockState.EJECTED) return rejected(QemuErrors.NO_MEDIUM_LENGTH);

        int id = w.ghost().nextId();
        Bitmap b = Bitmap.added(a.granularity(), id).withPersistent(a.persistent()).withEnabled(!a.disabled());
        return next(w.withNode(a.node(), n.withBitmap(a.name(), b))
                .withGhost(w.ghost().born(id, a.persistent(), !a.disabled())));
    }

    /**
     * bitmap-qmp-cmds.c block_dirty_bitmap_remove: BUSY|RO checked (an inconsistent bitmap can be removed); if
     * persistent && !skip_store the image entry goes first (whole-directory rewrite), never from an inactive node.
     */
    @Override
    public Outcome visit(Action.BitmapRemove a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        Option<Bitmap> found = n.bitmap(a.name());
        if (found.isEmpty()) return rejected(QemuErrors.notFound(a.name()));
        if (found.get().busy()) return rejected(QemuErrors.busy(a.name()));
        if (found.get().readonly()) return rejected(QemuErrors.readonly(a.name()));

        // qcow2_co_remove_persistent_dirty_bitmap: the directory rewrite fails on a full volume and the bitmap stays;
        // the new directory's clusters were allocated first, and their refused update stays in the caches.
        if (found.get().persistence() && n.isWriter() && w.image().directory().containsKey(a.name()) && w.image().full()) return failed(w.image().directory().size() > 1 ? Effects.unflushed(w, a.node()) : w, QemuErrors.REMOVE_NO_SPACE);

        World removed = w.withNode(a.node(), n.withoutBitmap(a.name()));
        Image image = w.image();
        if (found.get().persistence() && n.isWriter() && image.directory().containsKey(a.name())) {
            removed = removed.withImage(image.withDirectory(image.directory().remove(a.name())));
        }
        return next(removed);
    }

    /** qmp_block_dirty_bitmap_clear: DEFAULT check; the lineage's truth restarts. */
    @Override
    public Outcome visit(Action.BitmapClear a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        Option<String> unusable = check(n, a.name(), true, true);
        if (unusable.isDefined()) return rejected(unusable.get());

        return next(Effects.emptied(w, a.node(), a.name()));
    }

    /** qmp_block_dirty_bitmap_enable: BUSY|INCONSISTENT checked (readonly allowed by design). */
    @Override
    public Outcome visit(Action.BitmapEnable a) {
        return toggle(a.node(), a.name(), true);
    }

    /** qmp_block_dirty_bitmap_disable: BUSY|INCONSISTENT checked. */
    @Override
    public Outcome visit(Action.BitmapDisable a) {
        return toggle(a.node(), a.name(), false);
    }

    /** bitmap-qmp-cmds.c block_dirty_bitmap_merge: target DEFAULT, sources ALLOW_RO; granularities may differ. */
    @Override
    public Outcome visit(Action.BitmapMerge a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        Option<String> unusable = check(n, a.target(), true, true);
        if (unusable.isDefined()) return rejected(unusable.get());
        for (String source : a.sources()) {
            Option<String> bad = check(n, source, false, true);
            if (bad.isDefined()) return rejected(bad.get());
        }

        Bitmap target = n.bitmap(a.target()).get();
        SortedSet<Integer> merged = target.granules();
        for (String source : a.sources()) {
            Bitmap s = n.bitmap(source).get();
            merged = merged.addAll(Granules.regrain(s.granules(), s.granularity(), target.granularity(), geometry));
        }
        return next(w.withNode(a.node(), n.withBitmap(a.target(), target.withGranules(merged))));
    }

    /** An incremental backup (blockdev-backup sync=incremental) copies what the bitmap reports, then clears it. */
    @Override
    public Outcome visit(Action.Backup a) {
        Node n = w.node(a.node());
        if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
        if (!n.isActive()) return rejected(QemuErrors.NODE_INACTIVE);
        Option<String> unusable = check(n, a.bitmap(), true, true);
        if (unusable.isDefined()) return rejected(unusable.get());

        return next(Effects.emptied(w, a.node(), a.bitmap()));
    }

    // ---------------------------------------------------------------- helpers

    /** enable and disable: BUSY|INCONSISTENT checked; the lineage records while the bitmap is enabled. */
    private Outcome toggle(NodeId node, String name, boolean enable) {
        Node n = w.node(node);
        if (!n.isOn()) return rejected(QemuErrors.notRunning(node));
        Option<String> unusable = check(n, name, false, true);
        if (unusable.isDefined()) return rejected(unusable.get());

        World own = Effects.ownLineage(w, node, name);
        Bitmap b = own.node(node).bitmap(name).get();
        return next(own.withNode(node, own.node(node).withBitmap(name, b.withEnabled(enable)))
                .withGhost(own.ghost().update(b.lineage(), l -> l.withRecording(enable))));
    }

    /**
     * block/dirty-bitmap.c bdrv_dirty_bitmap_check: not found, then BUSY, RO (when {@code readonlyMatters}) and
     * INCONSISTENT, in QEMU's order.
     */
    static Option<String> check(Node n, String name, boolean readonlyMatters, boolean inconsistentMatters) {
        Option<Bitmap> b = n.bitmap(name);
        if (b.isEmpty()) return Option.some(QemuErrors.notFound(name));
        if (b.get().busy()) return Option.some(QemuErrors.busy(name));
        if (readonlyMatters && b.get().readonly()) return Option.some(QemuErrors.readonly(name));
        if (inconsistentMatters && b.get().inconsistent()) return Option.some(QemuErrors.inconsistent(name));
        return Option.none();
    }
}
