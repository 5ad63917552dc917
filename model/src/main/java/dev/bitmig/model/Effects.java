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
        if (copies(w, b.lineage()) <= 1) {
            return w;
        }
        int fork = w.ghost().nextId();
        Ghost ghost = w.ghost().with(fork, w.ghost().lineage(b.lineage()));
        Node n = w.node(node);
        return w.withGhost(ghost).withNode(node, n.withBitmap(name, b.withLineage(fork)));
    }

    /** How many bitmaps in RAM and image entries share the lineage. */
    private static int copies(World w, int lineage) {
        int copies = 0;
        for (NodeId id : NodeId.values()) {
            for (var x : w.node(id).bitmaps()) {
                copies += x._2.lineage() == lineage ? 1 : 0;
            }
        }
        for (var e : w.image().directory()) {
            copies += e._2.lineage() == lineage ? 1 : 0;
        }
        return copies;
    }

    /** {@link #ownLineage} for an image entry that a tool changes (qemu-img bitmap --clear, --enable, --disable). */
    static World ownEntryLineage(World w, String name) {
        StoredBitmap e = w.image().directory().get(name).get();
        if (copies(w, e.lineage()) <= 1) {
            return w;
        }
        int fork = w.ghost().nextId();
        Ghost ghost = w.ghost().with(fork, w.ghost().lineage(e.lineage()));
        return w.withGhost(ghost).withImage(w.image().withDirectory(w.image().directory().put(name, e.withLineage(fork))));
    }

    /** {@link #emptied} for an image entry (qemu-img bitmap --clear): its bits go and its truth starts again. */
    static World emptiedEntry(World w, String name) {
        World own = ownEntryLineage(w, name);
        StoredBitmap e = own.image().directory().get(name).get();
        return own.withImage(own.image().withDirectory(own.image().directory().put(name, e.withGranules(Granules.NONE))))
                .withGhost(own.ghost().update(e.lineage(), Lineage::cleared));
    }

    /** A write that a full volume refused left its allocation's update in the node's qcow2 caches (see Node#unflushed). */
    static World unflushed(World w, NodeId node) {
        return w.withNode(node, w.node(node).withUnflushed(true));
    }

    /**
     * A write that a full volume refused: block/io.c bdrv_co_write_req_finish marks every bitmap of the node whatever
     * the result, and a write that had to allocate leaves the refused allocation in the caches (qcow2_alloc_cluster_abort).
     */
    static World refusedWrite(World w, NodeId node, int first, int count, Geometry geometry) {
        SortedSet<Integer> clusters = io.vavr.collection.TreeSet.range(first, first + count);
        Node n = w.node(node);
        World marked = w.withNode(node, n.withBitmaps(n.bitmaps().mapValues(b -> b.record(clusters, geometry))));
        return w.image().allocates(clusters) ? unflushed(marked, node) : marked;
    }

    /** qemu-img bitmap --enable or --disable: the entry's AUTO flag, and whether its own lineage is meant to record. */
    static World entryToggled(World w, String name, boolean enable) {
        World own = ownEntryLineage(w, name);
        StoredBitmap e = own.image().directory().get(name).get();
        return own.withImage(own.image().withDirectory(own.image().directory().put(name, e.withAuto(enable))))
                .withGhost(own.ghost().update(e.lineage(), l -> l.withRecording(enable)));
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
