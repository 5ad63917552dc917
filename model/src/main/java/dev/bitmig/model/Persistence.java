package dev.bitmig.model;

import io.vavr.Tuple;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;
import io.vavr.control.Either;

/** How bitmaps move between RAM and the image: QEMU's store and load rules R2, R3 and R12. */
public final class Persistence {
    private Persistence() {
    }

    /**
     * R2 (block/qcow2-bitmap.c qcow2_store_persistent_dirty_bitmaps): write exactly the bitmaps with
     * persistent && !skip_store && !inconsistent && !readonly, with IN_USE clear and AUTO iff enabled. With
     * {@code release}, the stored and the readonly bitmaps leave RAM (fe16c7ddf8). QEMU never overwrites an entry
     * that it does not own: a same-named entry without IN_USE fails the whole store. A read-only node with anything
     * to write fails it too ("No write access", can_write()), and so does a full volume (ENOSPC).
     */
    public static Either<String, World> store(World w, NodeId id, boolean release) {
        Node n = w.node(id);
        SortedMap<String, Bitmap> toStore =
                n.bitmaps().filter((name, b) -> b.persistence() && !b.inconsistent() && !b.readonly());
        SortedMap<String, StoredBitmap> dir = w.image().directory();
        for (String name : toStore.keySet()) {
            if (dir.get(name).exists(e -> !e.inUse())) {
                return Either.left(QemuErrors.existsInImage(name));
            }
        }
        if (!toStore.isEmpty() && n.readOnly()) {
            return Either.left(QemuErrors.NO_WRITE_ACCESS);
        }
        // A full volume: store_bitmap cannot write the first bitmap's clusters, and the directory stays as it was.
        if (!toStore.isEmpty() && w.image().full()) {
            return Either.left(QemuErrors.cannotWriteBitmap(toStore.keySet().head()));
        }
        World next = w;
        if (!toStore.isEmpty()) {
            SortedMap<String, StoredBitmap> written = toStore.mapValues(StoredBitmap::storedFrom);
            next = next.withImage(w.image().withDirectory(dir.merge(written, (old, fresh) -> fresh)));
        }
        if (release) {
            SortedMap<String, Bitmap> kept = n.bitmaps().filter((name, b) -> !toStore.containsKey(name) && !b.readonly());
            next = next.withNode(id, n.withBitmaps(kept));
        }
        return Either.right(next);
    }

    /**
     * R3 and R12 (block/qcow2.c qcow2_do_open, block/qcow2-bitmap.c qcow2_load_dirty_bitmaps): on an active open or an
     * activation. A cleared autoclear bit drops every entry with a warning. Per entry: IN_USE with a same-named bitmap
     * in RAM is skipped (a505475b95); IN_USE loads inconsistent; otherwise it loads (enabled iff AUTO) and, when the
     * image is writable, is marked IN_USE on disk. A name clash with RAM fails the whole load.
     */
    public static Either<String, World> load(World w, NodeId id) {
        Node n = w.node(id);
        boolean writable = !n.readOnly();
        Image image = w.image();
        SortedMap<String, StoredBitmap> dir = image.directory();
        if (!image.autoclear() && !dir.isEmpty()) {
            // R12: "a program lacking bitmap support modified this file"; a writable open rewrites the header.
            if (writable && image.full()) {
                return Either.left(QemuErrors.HEADER_NO_SPACE);
            }
            dir = TreeMap.empty();
            if (writable) {
                image = image.withDirectory(dir);
            }
        }
        SortedMap<String, Bitmap> ram = n.bitmaps();
        SortedMap<String, StoredBitmap> marked = dir;
        for (var entry : dir) {
            String name = entry._1;
            StoredBitmap e = entry._2;
            boolean inRam = ram.containsKey(name);
            if (e.inUse() && inRam) {
                continue;
            }
            if (inRam) {
                return Either.left(QemuErrors.alreadyExists(name));
            }
            if (e.inUse()) {
                ram = ram.put(name, Bitmap.inconsistent(e.granularity(), e.lineage()));
            } else {
                ram = ram.put(name, Bitmap.loaded(e, writable));
                if (writable) {
                    marked = marked.put(name, e.withInUse(true));
                }
            }
        }
        if (writable && !marked.equals(dir)) {
            // qcow2_load_dirty_bitmaps: the in-place update of the directory is a write, refused on a full volume.
            if (image.full()) {
                return Either.left(QemuErrors.DIRECTORY_NO_SPACE);
            }
            image = image.withDirectory(marked);
        }
        return Either.right(w.withImage(image).withNode(id, n.withBitmaps(ram)));
    }

    /**
     * A policy's documented drop of every bitmap in {@code names} on the node. Each loss is recorded as POLICY_DROP,
     * needless when the dropped bitmap still covered its truth.
     */
    public static World drop(World w, NodeId id, SortedSet<String> names, Geometry geometry) {
        Node n = w.node(id);
        World next = w;
        for (String name : names) {
            Bitmap b = n.bitmaps().get(name).get();
            Lineage l = w.ghost().lineage(b.lineage());
            if (l.persistent()) {
                next = next.lose(new Loss(b.lineage(), name, Cause.POLICY_DROP, covers(b, l, geometry)));
            }
        }
        return next.withNode(id, n.withBitmaps(n.bitmaps().filterKeys(k -> !names.contains(k))));
    }

    /** The bitmap reports every cluster of its lineage's truth. */
    public static boolean covers(Bitmap b, Lineage l, Geometry geometry) {
        SortedSet<Integer> reported = Granules.clusters(b.reported(), b.granularity(), geometry);
        return l.truth().forAll(reported::contains);
    }

    /** R6: activating an inactive node resets skip_store on every bitmap of the node (block.c bdrv_activate). */
    public static World resetSkipStore(World w, NodeId id) {
        Node n = w.node(id);
        return w.withNode(id, n.withBitmaps(n.bitmaps().mapValues(b -> b.withSkipStore(false))));
    }

    /** Change one bitmap of a node. */
    public static World update(World w, NodeId id, String name, java.util.function.UnaryOperator<Bitmap> f) {
        Node n = w.node(id);
        return w.withNode(id, n.withBitmap(name, f.apply(n.bitmaps().get(name).get())));
    }

    /** Change every bitmap of a node whose name is in {@code names}. */
    public static World updateAll(World w, NodeId id, SortedSet<String> names, java.util.function.UnaryOperator<Bitmap> f) {
        Node n = w.node(id);
        return w.withNode(id, n.withBitmaps(n.bitmaps().map((k, b) -> Tuple.of(k, names.contains(k) ? f.apply(b) : b))));
    }
}
