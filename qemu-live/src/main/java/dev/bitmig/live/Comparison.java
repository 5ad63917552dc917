package dev.bitmig.live;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.model.Action;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.Cause;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Image;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Compares one step of the model (QEMU_7_2 or QEMU_10_0, as the QEMU under test) with what QEMU did and shows, and judges QEMU's state. */
public final class Comparison {
    /** One disagreement: {@code key} names its kind without bitmap names, for grouping and shrinking. */
    public record Mismatch(String key, String expected, String observed) {
        @Override
        public String toString() {
            return key + ": expected (model) " + expected + ", observed (QEMU) " + observed;
        }
    }

    private final Geometry geometry;
    private final Map<String, SortedSet<Integer>> reconstructed = new HashMap<>();

    public Comparison(Geometry geometry) {
        this.geometry = geometry;
    }

    /**
     * Outcome agreement: both report an error (same text unless the model's text is bitmig's own), or both accept. A
     * model failure that changed the world (a failed reactivation) is an error reply too; the state comparison after
     * the step tells whether QEMU changed the same way.
     */
    public List<Mismatch> outcome(Action a, Outcome model, Outcome qemu) {
        List<Mismatch> out = new ArrayList<>();
        String k = a.kind();
        var me = model.error();
        var qe = qemu.error();
        if (me.isDefined() && qe.isDefined()) {
            if (!me.get().startsWith("bitmig:") && !me.get().equals(qe.get())) {
                out.add(new Mismatch(k + " error text", me.get(), qe.get()));
            }
        } else if (me.isDefined()) {
            out.add(new Mismatch(k + " outcome", "rejected: " + me.get(), "accepted"));
        } else if (qe.isDefined()) {
            out.add(new Mismatch(k + " outcome", "accepted", "rejected: " + qe.get()));
        }
        return out;
    }

    /** State agreement after the step. */
    public List<Mismatch> state(World w, Observation o) {
        List<Mismatch> out = new ArrayList<>();
        for (NodeId n : NodeId.values()) {
            Node node = w.node(n);
            boolean on = o.on().get(n);
            if (node.isOn() != on) {
                out.add(new Mismatch(n.lower() + " process", node.isOn() ? "running" : "off", on ? "running" : "off"));
                continue;
            }
            if (!on || o.held().get(n)) {
                continue;
            }
            // D4: a node without its medium cannot be listed ("Block device drive0 is ejected").
            boolean ejected = node.block() == dev.bitmig.model.BlockState.EJECTED;
            if (o.unreadable().containsKey(n) || ejected) {
                String seenAs = o.unreadable().containsKey(n) ? "query-named-block-nodes: " + o.unreadable().get(n)
                        : "drive0 listed";
                String why = o.unreadable().get(n);
                boolean agree = ejected && why != null && why.contains("is ejected");
                if (!agree) {
                    out.add(new Mismatch(n.lower() + " node readable", ejected ? "ejected (no medium)"
                            : "drive0 listed with " + node.bitmaps().size() + " bitmap(s)", seenAs));
                }
                continue;
            }
            // QEMU 10.0 reports whether the node is active (query-named-block-nodes "active").
            Boolean active = o.active().get(n);
            if (active != null && active != node.isActive()) {
                out.add(new Mismatch(n.lower() + " node active", String.valueOf(node.isActive()), String.valueOf(active)));
            }
            Map<String, Observation.Bm> seen = o.bitmaps().get(n);
            for (var e : node.bitmaps()) {
                Observation.Bm q = seen.get(e._1);
                if (q == null) {
                    out.add(new Mismatch(n.lower() + " bitmap presence", "'" + e._1 + "' present", "absent"));
                    continue;
                }
                Observation.Bm m = expected(e._2);
                field(out, n, e._1, "granularity", m.granularity(), q.granularity());
                field(out, n, e._1, "count", m.count(), q.count());
                field(out, n, e._1, "recording", m.recording(), q.recording());
                field(out, n, e._1, "persistent", m.persistent(), q.persistent());
                field(out, n, e._1, "busy", m.busy(), q.busy());
                field(out, n, e._1, "inconsistent", m.inconsistent(), q.inconsistent());
                if (m.granularity() == q.granularity()) {
                    field(out, n, e._1, "sha256", m.sha256(), q.sha256());
                }
            }
            for (String name : seen.keySet()) {
                if (!node.bitmaps().containsKey(name)) {
                    out.add(new Mismatch(n.lower() + " bitmap presence", "'" + name + "' absent", "present"));
                }
            }
        }
        SortedMap<String, StoredBitmap> dir = w.image().autoclear() ? w.image().directory() : TreeMap.empty();
        for (var e : dir) {
            ImageBitmap q = o.directory().get(e._1);
            if (q == null) {
                out.add(new Mismatch("image entry presence", "'" + e._1 + "' present", "absent"));
                continue;
            }
            StoredBitmap s = e._2;
            if (s.granularity() * Geometry.CLUSTER_BYTES != q.granularity()) {
                out.add(new Mismatch("image entry granularity", e._1 + "=" + s.granularity() * Geometry.CLUSTER_BYTES,
                        e._1 + "=" + q.granularity()));
            }
            if (s.inUse() != q.inUse()) {
                out.add(new Mismatch("image entry in-use", e._1 + "=" + s.inUse(), e._1 + "=" + q.inUse()));
            }
            if (s.auto() != q.auto()) {
                out.add(new Mismatch("image entry auto", e._1 + "=" + s.auto(), e._1 + "=" + q.auto()));
            }
        }
        for (String name : o.directory().keySet()) {
            if (!dir.containsKey(name)) {
                out.add(new Mismatch("image entry presence", "'" + name + "' absent", "present"));
            }
        }
        if (w.image().autoclear() != o.autoclear()) {
            out.add(new Mismatch("image autoclear bit 0", Boolean.toString(w.image().autoclear()),
                    Boolean.toString(o.autoclear())));
        }
        return out;
    }

    private static void field(List<Mismatch> out, NodeId n, String name, String field, Object m, Object q) {
        if (!m.equals(q)) {
            out.add(new Mismatch(n.lower() + " bitmap " + field, name + "=" + m, name + "=" + q));
        }
    }

    /** The model bitmap as QEMU would list it: own granules only (a successor is an anonymous bitmap). */
    public Observation.Bm expected(Bitmap b) {
        long gran = b.granularity() * Geometry.CLUSTER_BYTES;
        return new Observation.Bm(b.granules().size() * gran, gran, b.recording(), b.persistent(), b.busy(),
                b.inconsistent(), sha256(b.granules(), b.granularity()));
    }

    /** SHA-256 of an HBitmap over the disk's bytes with the model's granules set, as QEMU computes it. */
    public String sha256(SortedSet<Integer> granules, int granularityClusters) {
        long gran = granularityClusters * Geometry.CLUSTER_BYTES;
        long[] g = granules.toJavaStream().mapToLong(Integer::longValue).toArray();
        return HBitmap.fromGranules(geometry.clusters() * Geometry.CLUSTER_BYTES,
                Long.numberOfTrailingZeros(gran), g).sha256Hex();
    }

    /**
     * The granules QEMU's bitmap holds, recovered from its count and SHA-256 by trying every set of that size (the
     * disks here have at most 16 granules), or none when no set matches.
     */
    public Option<SortedSet<Integer>> granules(Observation.Bm q) {
        if (q.granularity() % Geometry.CLUSTER_BYTES != 0) {
            return Option.none();
        }
        int gc = (int) (q.granularity() / Geometry.CLUSTER_BYTES);
        int n = geometry.granules(gc);
        int k = (int) (q.count() / q.granularity());
        if (n > 16 || k > n) {
            return Option.none();
        }
        String key = gc + "/" + q.sha256();
        SortedSet<Integer> hit = reconstructed.get(key);
        if (hit != null) {
            return Option.some(hit);
        }
        for (int mask = 0; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) != k) {
                continue;
            }
            SortedSet<Integer> set = TreeSet.empty();
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    set = set.add(i);
                }
            }
            if (sha256(set, gc).equals(q.sha256())) {
                reconstructed.put(key, set);
                return Option.some(set);
            }
        }
        return Option.none();
    }

    /**
     * The model world with QEMU's observed bitmaps and image directory in place of the model's, keeping the model's
     * ghost (the truth of the writes actually issued): lineages are matched by node and name. Stored bits cannot be
     * read back cheaply, so an entry's granules are the model's for the same name.
     */
    public World observedWorld(World w, Observation o) {
        World next = w;
        for (NodeId n : NodeId.values()) {
            Node node = w.node(n);
            if (o.held().get(n) || !o.on().get(n) || !node.isOn()) {
                continue;
            }
            // QEMU's own word on a lost medium: "Block device drive0 is ejected" (D4).
            String why = o.unreadable().get(n);
            if (why != null) {
                next = next.withNode(n, node.withBlock(why.contains("is ejected") ? BlockState.EJECTED
                        : node.block() == BlockState.EJECTED ? BlockState.INACTIVE : node.block()));
                continue;
            }
            if (node.block() == BlockState.EJECTED) {
                node = node.withBlock(BlockState.INACTIVE);
            }
            SortedMap<String, Bitmap> bms = TreeMap.empty();
            for (var e : o.bitmaps().get(n).entrySet()) {
                Observation.Bm q = e.getValue();
                Option<Bitmap> mine = node.bitmap(e.getKey());
                int gc = (int) Math.max(1, q.granularity() / Geometry.CLUSTER_BYTES);
                SortedSet<Integer> granules = granules(q).getOrElse(() -> mine.map(Bitmap::granules).getOrElse(TreeSet.empty()));
                bms = bms.put(e.getKey(), new Bitmap(gc, q.persistent(), q.recording(), q.busy(),
                        mine.exists(Bitmap::skipStore), q.inconsistent(), mine.exists(Bitmap::readonly), granules,
                        successor(mine, q, o.anonymous().getOrDefault(n, List.of())), mine.map(Bitmap::lineage).getOrElse(0)));
            }
            next = next.withNode(n, node.withBitmaps(bms));
        }
        SortedMap<String, StoredBitmap> dir = TreeMap.empty();
        for (ImageBitmap e : o.directory().values()) {
            Option<StoredBitmap> mine = w.image().directory().get(e.name());
            int gc = (int) Math.max(1, e.granularity() / Geometry.CLUSTER_BYTES);
            dir = dir.put(e.name(), new StoredBitmap(gc, e.inUse(), e.auto(),
                    mine.map(StoredBitmap::granules).getOrElse(TreeSet.empty()), mine.map(StoredBitmap::lineage).getOrElse(0)));
        }
        Image i = w.image();
        return next.withImage(new Image(i.clock(), i.lastWrite(), o.autoclear(), dir, i.owner(), i.full()));
    }

    /**
     * A busy bitmap's successor as QEMU shows it: anonymous, so only its count, granularity and recording. When QEMU
     * lists an anonymous bitmap of the model successor's granularity, recording and count, the observed bitmap takes
     * the model's successor; otherwise an empty one, so that the invariants see what QEMU's successor misses.
     */
    private static Option<dev.bitmig.model.Successor> successor(Option<Bitmap> mine, Observation.Bm q,
                                                               List<Observation.Anonymous> anonymous) {
        if (!q.busy() || mine.isEmpty() || mine.get().successor().isEmpty()) {
            return Option.none();
        }
        dev.bitmig.model.Successor s = mine.get().successor().get();
        long count = (long) s.granules().size() * q.granularity();
        boolean listed = anonymous.stream().anyMatch(x -> x.granularity() == q.granularity()
                && x.recording() == s.enabled() && x.count() == count);
        return Option.some(listed ? s : new dev.bitmig.model.Successor(s.enabled(), TreeSet.empty()));
    }

    /** NoUnderReport, NoLostDisk and NoSilentLoss on QEMU's observed state, against the model's ghost. */
    public List<String> violations(Action a, World observedBefore, World observedAfter, World modelAfter) {
        List<String> out = new ArrayList<>();
        Invariant.NO_UNDER_REPORT.violation(observedAfter, geometry).forEach(v -> out.add("NoUnderReport: " + v));
        Invariant.NO_LOST_DISK.violation(observedAfter, geometry).forEach(v -> out.add("NoLostDisk: " + v));
        SortedSet<Integer> lost = Spec.available(observedBefore).removeAll(Spec.available(observedAfter));
        for (int id : lost) {
            boolean visible = a instanceof Action.Crash || a instanceof Action.BitmapRemove
                    || a instanceof Action.ForeignWrite f && f.writer() == Action.Writer.UNAWARE
                    || modelAfter.losses().exists(l -> l.lineage() == id && l.cause() != Cause.SILENT);
            if (!visible) {
                String name = nameOf(observedBefore, id);
                out.add("NoSilentLoss: persistent bitmap '" + name + "' is gone on QEMU: no consistent copy in RAM "
                        + "and none on the image, and nothing the user could see explains it");
            }
        }
        return out;
    }

    private static String nameOf(World w, int lineage) {
        for (NodeId n : NodeId.values()) {
            var hit = w.node(n).bitmaps().find(e -> e._2.lineage() == lineage);
            if (hit.isDefined()) {
                return hit.get()._1;
            }
        }
        return w.image().directory().find(e -> e._2.lineage() == lineage).map(e -> e._1).getOrElse("?");
    }

    /** Invariants the model itself says are violated in its world. */
    public List<String> modelViolations(World w) {
        List<String> out = new ArrayList<>();
        for (Invariant i : Invariant.values()) {
            i.violation(w, geometry).forEach(v -> out.add(i.title() + ": " + v));
        }
        return out;
    }
}
