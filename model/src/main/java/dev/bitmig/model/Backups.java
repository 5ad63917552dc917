package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.control.Option;

/**
 * The backup job's effects (block/backup.c, block/dirty-bitmap.c): start freezes the bitmap and gives it a successor,
 * steps copy, and the job's end abdicates or reclaims the successor by its result and bitmap-mode. Their guards are
 * the rules of {@link Transitions}.
 */
final class Backups {
    private final Geometry geometry;

    Backups(Geometry geometry) {
        this.geometry = geometry;
    }

    /**
     * bdrv_dirty_bitmap_create_successor (block/dirty-bitmap.c): the successor records iff the bitmap did, and the
     * bitmap is disabled and busy; backup_init_bcs_bitmap (block/backup.c, sync=bitmap): the job copies what the bitmap
     * holds at the start. Ghost: the lineage's truth at the start is kept, and a fresh lineage of the same family
     * records what changes after it.
     */
    World started(World w, Action.BackupStart a) {
        Node n = w.node(a.node());
        Bitmap b = n.bitmap(a.bitmap()).get();
        Lineage l = w.ghost().lineage(b.lineage());
        int since = w.ghost().nextId();
        BackupJob job = new BackupJob(a.bitmap(), a.sync(), a.mode(),
                Granules.clusters(b.granules(), b.granularity(), geometry), l.origins(), since);
        Bitmap frozen = b.withBusy(true).withEnabled(false).withSuccessor(Option.some(
                new Successor(b.enabled(), Granules.NONE)));
        return w.withNode(a.node(), n.withBitmap(a.bitmap(), frozen).withBackup(Option.some(job)))
                .withGhost(w.ghost().with(since, Lineage.fresh(l.persistent(), l.recording(), l.family())));
    }

    /** block/backup.c backup_loop: the first cluster still to copy is copied; with none left the job completes. */
    World copied(World w, NodeId node) {
        Node n = w.node(node);
        BackupJob job = n.backup().get();
        if (job.toCopy().isEmpty()) return ended(w, node, true);
        return w.withNode(node, n.withBackup(Option.some(job.withToCopy(job.toCopy().tail()))));
    }

    /** softmmu/runstate.c qemu_cleanup: job_cancel_sync_all before bdrv_close_all, so quit cancels a running job. */
    World cancelledByQuit(World w, NodeId node) {
        return w.node(node).backup().isDefined() ? ended(w, node, false) : w;
    }

    /**
     * block/copy-before-write.c cbw_do_copy_before_write: before a write reaches the image, the job copies the old data
     * of every written cluster it has not copied yet, so those clusters leave its block-copy bitmap.
     */
    static World copiedBeforeWrite(World w, SortedSet<Integer> clusters) {
        World next = w;
        for (NodeId id : NodeId.values()) {
            Node n = next.node(id);
            for (BackupJob job : n.backup()) {
                next = next.withNode(id, n.withBackup(Option.some(job.withToCopy(job.toCopy().removeAll(clusters)))));
            }
        }
        return next;
    }

    /**
     * block/backup.c backup_cleanup_sync_bitmap: abdicate (block/dirty-bitmap.c bdrv_dirty_bitmap_abdicate: the
     * successor takes the name and persistent, the old bits are released) when the job succeeded or the mode is
     * always, unless it is never; otherwise reclaim (bdrv_reclaim_dirty_bitmap: the successor's bits merge back). A
     * failed job with mode always then merges in the clusters it did not copy.
     */
    World ended(World w, NodeId node, boolean succeeded) {
        Node n = w.node(node);
        BackupJob job = n.backup().get();
        Bitmap b = n.bitmap(job.bitmap()).get();
        Node done = n.withBackup(Option.none());
        if (!job.abdicates(succeeded)) {
            return w.withNode(node, done.withBitmap(job.bitmap(), b.reclaimed()));
        }
        Successor s = b.successor().get();
        SortedSet<Integer> bits = s.granules();
        if (!succeeded) {
            bits = bits.addAll(Granules.coveringClusters(job.toCopy(), b.granularity()));
        }
        Bitmap heir = Bitmap.added(b.granularity(), job.since()).withPersistent(b.persistent()).withEnabled(s.enabled())
                .withGranules(bits);
        // Ghost: the heir's truth is what changed since the start, plus what of the start's truth was never copied.
        SortedSet<Integer> copied = Granules.clusters(b.granules(), b.granularity(), geometry).removeAll(job.toCopy());
        Lineage since = w.ghost().lineage(job.since());
        SortedMap<Integer, Origin> truth = since.origins();
        for (var e : job.before()) {
            if (!copied.contains(e._1) && !truth.containsKey(e._1)) {
                truth = truth.put(e._1, e._2);
            }
        }
        Lineage heirTruth = new Lineage(since.persistent(), since.recording(), truth, since.family());
        return w.withNode(node, done.withBitmap(job.bitmap(), heir)).withGhost(w.ghost().with(job.since(), heirTruth));
    }
}
