package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.BackupJob;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Lineage;
import dev.bitmig.model.Migration;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Origin;
import dev.bitmig.model.PolicyState;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;
import io.vavr.Tuple2;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The canonical encoding of a world for deduplication, like TLC's VIEW: it leaves out only what no transition and no
 * invariant reads (the image's write clock and per-cluster stamps, the migration's error text, which only
 * query-migrate shows, and the losses the last step recorded, which are judged before deduplication). Two worlds get
 * equal encodings iff they are equal up to those. With a volume that can fill up, which clusters were ever written
 * counts too (a write to a full volume that had to allocate leaves qcow2's caches unflushed: Image#allocates).
 *
 * <p>With a {@link Renaming}, bitmap names are permuted before encoding, and every name-keyed collection is encoded in
 * the order of the new names: the encoding of a renamed world is the encoding of the world with the names swapped.
 * One encoder per thread: it reuses its buffer.
 */
final class WorldEncoder extends ByteWriter {
    private final Map<String, byte[]> utf8 = new java.util.HashMap<>();
    private String lastString;
    private byte[] lastUtf8;

    /** Encode {@code w} with names renamed; the bytes stay valid until the next call. */
    WorldEncoder encode(World w, Renaming r) {
        n = 0;
        next = 0;
        java.util.Arrays.fill(canonical, -1);
        large.clear();
        bool(w.image().autoclear());
        varint(w.image().owner().map(o -> o.ordinal() + 1).getOrElse(0));
        bool(w.image().full());
        if (allocation) {
            w.image().lastWrite().forEach(stamp -> bool(stamp != 0));
        }
        var dir = w.image().directory();
        varint(dir.size());
        for (Tuple2<String, StoredBitmap> e : entries(dir, r)) {
            StoredBitmap s = e._2;
            string(e._1);
            varint(s.granularity());
            bool(s.inUse());
            bool(s.auto());
            set(s.granules());
            varint(id(s.lineage()));
        }
        for (NodeId id : NodeId.values()) {
            node(w.node(id), r);
        }
        Migration m = w.migration();
        varint(m.phase().ordinal());
        bool(m.capability());
        bool(m.handedOver());
        bool(m.sourceWasRunning());
        names(m.riding(), r);
        names(m.enabledAtStart(), r);
        bool(m.error().isDefined());
        policyState(w.policyState(), r);
        // Lineages in the order of their canonical ids (a live lineage is referenced above, so it has one already).
        var lineages = w.ghost().lineages();
        varint(lineages.size());
        for (var e : lineages) {
            id(e._1);
        }
        Lineage[] byId = new Lineage[canonicalIds ? next : lineages.keySet().max().map(top -> top + 1).getOrElse(0)];
        for (var e : lineages) {
            byId[id(e._1)] = e._2;
        }
        for (int c = 0; c < byId.length; c++) {
            Lineage l = byId[c];
            if (l == null) {
                continue;
            }
            bool(l.persistent());
            bool(l.recording());
            origins(l.origins());
            varint(id(l.family()));
        }
        return this;
    }

    /**
     * Lineage ids are ghost bookkeeping (the smallest free id, Ghost.nextId): worlds that differ only by a renumbering
     * of them have the same future up to it. The encoding numbers them in the order it first meets them.
     */
    private final int[] canonical = new int[256];
    private int next;
    private final java.util.Map<Integer, Integer> large = new java.util.HashMap<>();

    private final boolean canonicalIds;
    private final boolean allocation;

    /** With {@code canonicalIds}, lineage ids are numbered in the order the encoding meets them. */
    WorldEncoder(boolean canonicalIds) {
        this(canonicalIds, false);
    }

    /** With {@code allocation}, also which clusters were ever written (for searches where the volume can fill up). */
    WorldEncoder(boolean canonicalIds, boolean allocation) {
        this.canonicalIds = canonicalIds;
        this.allocation = allocation;
    }

    private int id(int lineage) {
        if (!canonicalIds) {
            return lineage;
        }
        if (lineage >= 0 && lineage < canonical.length) {
            if (canonical[lineage] < 0) {
                canonical[lineage] = next++;
            }
            return canonical[lineage];
        }
        return large.computeIfAbsent(lineage, k -> next++);
    }

    private void node(Node node, Renaming r) {
        varint(node.run().ordinal());
        varint(node.block().ordinal());
        bool(node.readOnly());
        bool(node.autostart());
        bool(node.noBitmaps());
        bool(node.unflushed());
        varint(node.bitmaps().size());
        for (Tuple2<String, Bitmap> e : entries(node.bitmaps(), r)) {
            Bitmap b = e._2;
            string(e._1);
            varint(b.granularity());
            varint((b.persistent() ? 1 : 0) | (b.enabled() ? 2 : 0) | (b.busy() ? 4 : 0) | (b.skipStore() ? 8 : 0)
                    | (b.inconsistent() ? 16 : 0) | (b.readonly() ? 32 : 0));
            set(b.granules());
            bool(b.successor().isDefined());
            if (b.successor().isDefined()) {
                bool(b.successor().get().enabled());
                set(b.successor().get().granules());
            }
            varint(id(b.lineage()));
        }
        // One byte for the jobs: 0 or 1 as before backup jobs existed, plus 2 with a backup job.
        varint((node.mirror().isDefined() ? 1 : 0) | (node.backup().isDefined() ? 2 : 0));
        for (Mirror job : node.mirror()) {
            varint(job.granularity());
            set(job.granules());
            varint(id(job.lineage()));
        }
        for (BackupJob job : node.backup()) {
            string(r.apply(job.bitmap()));
            varint(job.sync().ordinal() * Action.BitmapMode.values().length + job.mode().ordinal());
            set(job.toCopy());
            origins(job.before());
            varint(id(job.since()));
        }
    }

    private static int origin(Origin o) {
        return ((o.author().ordinal() * 8 + o.stage().ordinal()) * 4 + o.source().ordinal()) * 4 + o.target().ordinal();
    }

    /** The entries in the order of their new names: the map itself when nothing is renamed. */
    private static <V> Iterable<Tuple2<String, V>> entries(SortedMap<String, V> m, Renaming r) {
        if (r.isIdentity() || m.isEmpty()) {
            return m;
        }
        java.util.List<Tuple2<String, V>> out = new java.util.ArrayList<>(m.size());
        for (Tuple2<String, V> e : m) {
            out.add(new Tuple2<>(r.apply(e._1), e._2));
        }
        out.sort((x, y) -> x._1.compareTo(y._1));
        return out;
    }

    private void names(SortedSet<String> s, Renaming r) {
        varint(s.size());
        if (r.isIdentity()) {
            s.forEach(this::string);
            return;
        }
        String[] renamed = new String[s.size()];
        int i = 0;
        for (String x : s) {
            renamed[i++] = r.apply(x);
        }
        Arrays.sort(renamed);
        for (String x : renamed) {
            string(x);
        }
    }

    /** The policy's own state, walked as a record (PolicyStateEncoding); cached by identity when nothing is renamed. */
    private void policyState(PolicyState state, Renaming r) {
        if (state == PolicyState.NONE) {
            put(0);
            return;
        }
        put(1);
        if (r.isIdentity() && replay(state)) {
            return;
        }
        int start = n;
        byte[] b = PolicyStateEncoding.encode(state, r);
        varint(b.length);
        raw(b);
        if (r.isIdentity()) {
            remember(state, start);
        }
    }

    private void set(SortedSet<Integer> s) {
        if (s.isEmpty()) {
            varint(0);
            return;
        }
        if (replay(s)) {
            return;
        }
        int start = n;
        varint(s.size());
        for (int i : s) {
            varint(i);
        }
        remember(s, start);
    }

    private void origins(SortedMap<Integer, Origin> origins) {
        if (origins.isEmpty()) {
            varint(0);
            return;
        }
        if (replay(origins)) {
            return;
        }
        int start = n;
        varint(origins.size());
        for (var o : origins) {
            varint(o._1);
            varint(origin(o._2));
        }
        remember(origins, start);
    }

    /*
     * The worlds of a search share most of their immutable sets and maps with their neighbours, and walking a vavr
     * tree costs more than copying its bytes: a small direct-mapped cache, by identity, of the bytes of the last
     * collections encoded (only collections whose bytes hold no name and no lineage id, so no renaming changes them).
     */
    private static final int CACHE = 1024;
    private final Object[] cachedKey = new Object[CACHE];
    private final byte[][] cachedBytes = new byte[CACHE][];

    private boolean replay(Object key) {
        int slot = System.identityHashCode(key) & (CACHE - 1);
        if (cachedKey[slot] != key) {
            return false;
        }
        raw(cachedBytes[slot]);
        return true;
    }

    private void remember(Object key, int start) {
        int slot = System.identityHashCode(key) & (CACHE - 1);
        cachedKey[slot] = key;
        cachedBytes[slot] = Arrays.copyOfRange(buf, start, n);
    }

    /** A string as {@link ByteWriter#string}, with the UTF-8 bytes of the names cached. */
    @Override
    void string(String s) {
        byte[] b = s == lastString ? lastUtf8 : utf8.computeIfAbsent(s, k -> k.getBytes(StandardCharsets.UTF_8));
        lastString = s;
        lastUtf8 = b;
        varint(b.length);
        raw(b);
    }
}
