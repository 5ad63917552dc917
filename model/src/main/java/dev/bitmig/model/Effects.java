package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Option;

/**
 * Named effects the transitions share: what a user's change to one copy does to its lineage, and what a data write
 * does to the image, the ghost truth and a mirror job. Each is one update, written once.
 */
final class Effects {
    private Effects() {
    }

    /**
     * Before the user changes what one copy means (clear, backup, enable, disable), that copy gets a lineage of its
     * own if any other bitmap or image entry shares its lineage: the other copies keep their truth and intent.
     */
    static World ownLineage(World w, NodeId node, String name) {
        Bitmap b = w.node(node).bitmap(name).get();
        int copies = 0;
        for (NodeId id : NodeId.values()) {
            for (var x : w.node(id).bitmaps()) {
                copies += x._2.lineage() == b.lineage() ? 1 : 0;
            }
        }
        for (var e : w.image().directory()) {
            copies += e._2.lineage() == b.lineage() ? 1 : 0;
        }
        if (copies <= 1) {
            return w;
        }
        int fork = w.ghost().nextId();
        Ghost ghost = w.ghost().with(fork, w.ghost().lineage(b.lineage()));
        Node n = w.node(node);
        return w.withGhost(ghost).withNode(node, n.withBitmap(name, b.withLineage(fork)));
    }

    /**
     * The effect clear and an incremental backup share: the copy gets a lineage of its own, its bits go, and its truth
     * starts again (block/dirty-bitmap.c bdrv_clear_dirty_bitmap; block/backup.c clears the copied bitmap).
     */
    static World emptied(World w, NodeId node, String name) {
        World own = ownLineage(w, node, name);
        Bitmap b = own.node(node).bitmap(name).get();
        return own.withNode(node, own.node(node).withBitmap(name, b.withGranules(Granules.NONE)))
                .withGhost(own.ghost().update(b.lineage(), Lineage::cleared));
    }

    /**
     * A data write reaches the image: the clock ticks and every lineage meant to record learns the clusters; a backup
     * job's copy-before-write filter first copies what they held ({@link Backups#copiedBeforeWrite}).
     */
    static World written(World w, SortedSet<Integer> clusters, Origin origin) {
        World copied = Backups.copiedBeforeWrite(w, clusters);
        return copied.withImage(copied.image().written(clusters)).withGhost(copied.ghost().written(clusters, origin));
    }

    /**
     * block/mirror.c bdrv_mirror_top_pwritev in write-blocking mode: a guest write goes to both images, so the written
     * clusters are in sync and the job's bitmap forgets the granules the write covers wholly (see {@link Mirror#activeWrite}).
     */
    static World mirrored(World w, NodeId node, int first, int count, SortedSet<Integer> clusters) {
        Option<Mirror> job = w.node(node).mirror();
        if (job.isEmpty()) {
            return w;
        }
        return w.withNode(node, w.node(node).withMirror(Option.some(job.get().activeWrite(first, count))))
                .withGhost(w.ghost().update(job.get().lineage(), l -> l.synced(clusters)));
    }
}
