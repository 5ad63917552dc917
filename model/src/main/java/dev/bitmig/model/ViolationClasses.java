package dev.bitmig.model;

import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;

import static dev.bitmig.model.ClassPart.Kind.COPIES;
import static dev.bitmig.model.ClassPart.Kind.WRITERS;

/**
 * Which classes a violation belongs to. {@code NoUnderReport} and {@code SingleWriter} are properties of a world: their
 * classes come from the world that violates them. {@code NoSilentLoss} is a property of a step (the losses it records):
 * its classes come from the step, the world before it and the world after it.
 */
public final class ViolationClasses {
    private ViolationClasses() {
    }

    /** The classes of the world's violations of a world invariant, in name order; empty when it holds. */
    public static SortedSet<ViolationClass> of(Invariant invariant, World w, Geometry geometry) {
        return switch (invariant) {
            case NO_UNDER_REPORT -> underReport(w, geometry).map(Finding::violationClass);
            case SINGLE_WRITER -> twoWriters(w);
            case NO_SILENT_LOSS -> TreeSet.empty();
            case NO_LOST_DISK -> lostDisk(w);
        };
    }

    /** One class per QEMU that lost its disk, and how the migration stands (Invariant.NO_LOST_DISK). */
    private static SortedSet<ViolationClass> lostDisk(World w) {
        SortedSet<ViolationClass> out = TreeSet.empty();
        ClassPart ended = ClassText.migration(Origin.Stage.of(w.migration()));
        for (NodeId id : NodeId.values()) {
            if (w.node(id).block() == BlockState.EJECTED) {
                out = out.add(new ViolationClass(Invariant.NO_LOST_DISK, List.of(new ClassPart(ClassPart.Kind.DISK,
                        id.lower(), "The " + id.lower() + " QEMU's reactivation failed in the qcow2 driver "
                        + "(qcow2_co_invalidate_cache, block/qcow2.c), which left its node without a medium."), ended)));
            }
        }
        return out;
    }

    /**
     * The violation of class {@code c} in words: in the world {@code after} that the step {@code action} from
     * {@code before} reached (for a world invariant only {@code after} is read). Without a class, the invariant's
     * first violation.
     */
    public static String message(ViolationClass c, World before, Action action, World after, Geometry geometry) {
        if (c != null && c.invariant() == Invariant.NO_UNDER_REPORT) {
            var hit = underReport(after, geometry).find(f -> f.violationClass().equals(c));
            if (hit.isDefined()) {
                return hit.get().message();
            }
        }
        if (c != null && c.invariant() == Invariant.NO_SILENT_LOSS) {
            var hit = after.losses().filter(l -> l.cause() == Cause.SILENT)
                    .find(l -> lossClass(before, action, l).equals(c));
            if (hit.isDefined()) {
                return Invariant.silentLossMessage(hit.get());
            }
        }
        Invariant inv = c == null ? Invariant.NO_UNDER_REPORT : c.invariant();
        return inv.violation(after, geometry).getOrElse("");
    }

    /** A class with the violation in words. */
    private record Finding(ViolationClass violationClass, String copy, SortedSet<Integer> missing)
            implements Comparable<Finding> {
        String message() {
            return copy + " does not report clusters " + missing.mkString("{", ",", "}")
                    + (copy.startsWith("the mirror job") ? " that its target still lacks"
                    : " that changed while it was meant to record");
        }

        @Override
        public int compareTo(Finding o) {
            return violationClass.compareTo(o.violationClass);
        }
    }

    /**
     * One class per under-reporting copy and origin of a cluster it misses: where the copy lives, persistent or not,
     * who last wrote the missed cluster and when, and how the migration stands now (Invariant.NO_UNDER_REPORT).
     */
    private static SortedSet<Finding> underReport(World w, Geometry geometry) {
        SortedSet<Finding> out = TreeSet.empty();
        ClassPart ended = ClassText.migration(Origin.Stage.of(w.migration()));
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            if (!n.isActive()) {
                continue;
            }
            for (var e : n.bitmaps().filter((name, b) -> !b.inconsistent())) {
                Bitmap b = e._2;
                out = out.addAll(missed(w, b.lineage(), b.reported(), b.granularity(), geometry, id,
                        ClassText.copyInRam(id), ClassText.persistence(b.persistent()), ended,
                        "bitmap '" + e._1 + "' on the " + id.lower() + " (granularity " + b.granularity() + ")"));
            }
            for (Mirror job : n.mirror()) {
                out = out.addAll(missed(w, job.lineage(), job.granules(), job.granularity(), geometry, id,
                        ClassText.copyInMirrorJob(id), ClassText.persistence(false), ended,
                        "the mirror job's dirty bitmap on the " + id.lower() + " (granularity " + job.granularity() + ")"));
            }
        }
        for (var e : w.image().consistentEntries()) {
            StoredBitmap s = e._2;
            out = out.addAll(missed(w, s.lineage(), s.granules(), s.granularity(), geometry, null,
                    ClassText.copyOnImage(), ClassText.persistence(true), ended,
                    "image entry '" + e._1 + "', which would load as consistent,"));
        }
        return out;
    }

    private static List<Finding> missed(World w, int lineage, SortedSet<Integer> granules, int granularity,
                                        Geometry geometry, NodeId here, ClassPart copy, ClassPart persistence,
                                        ClassPart ended, String what) {
        SortedSet<Integer> missing = Invariant.missing(w, lineage, granules, granularity, geometry);
        if (missing.isEmpty()) {
            return List.empty();
        }
        Lineage l = w.ghost().lineage(lineage);
        return missing.toList().groupBy(c -> l.origins().get(c).get()).toList().map(g -> new Finding(
                new ViolationClass(Invariant.NO_UNDER_REPORT, ClassText.parts(copy, persistence,
                        ClassText.writer(g._1.author(), here), ClassText.window(g._1, here), ended)),
                what, TreeSet.ofAll(g._2)));
    }

    /** The pair of writers (Invariant.SINGLE_WRITER): both nodes, or one without the image's lock. */
    private static SortedSet<ViolationClass> twoWriters(World w) {
        if (w.source().isWriter() && w.target().isWriter()) {
            return TreeSet.of(new ViolationClass(Invariant.SINGLE_WRITER, List.of(new ClassPart(WRITERS,
                    "source+target", "The source and the target QEMU both have the image active and read-write "
                    + "(BDRV_O_INACTIVE clear on both, block.c); image locking (raw_check_lock_bytes, "
                    + "block/file-posix.c) should have refused the second."))));
        }
        SortedSet<ViolationClass> out = TreeSet.empty();
        for (NodeId id : NodeId.values()) {
            if (w.node(id).isWriter() && !w.image().owner().contains(id)) {
                out = out.add(new ViolationClass(Invariant.SINGLE_WRITER, List.of(new ClassPart(WRITERS,
                        id.lower() + "-without-lock", "The " + id.lower() + " QEMU writes the image while it does not "
                        + "hold its write lock (raw_check_lock_bytes, block/file-posix.c), so another writer may open it."))));
            }
        }
        return out;
    }

    /**
     * The classes of the silent losses a step recorded (Invariant.NO_SILENT_LOSS): the step, where the lost bitmap's
     * copies were just before it, and the migration's stage then.
     */
    public static SortedSet<ViolationClass> lost(World before, Action action, World after) {
        SortedSet<ViolationClass> out = TreeSet.empty();
        for (Loss loss : after.losses().filter(l -> l.cause() == Cause.SILENT)) {
            out = out.add(lossClass(before, action, loss));
        }
        return out;
    }

    private static ViolationClass lossClass(World before, Action action, Loss loss) {
        int family = before.ghost().family(loss.lineage());
        Origin.Stage stage = Origin.Stage.of(before.migration());
        return new ViolationClass(Invariant.NO_SILENT_LOSS, List.of(LossText.step(action), copies(before, family),
                new ClassPart(ClassPart.Kind.MIGRATION, ClassText.stageSlug(stage),
                        "The step came " + ClassText.stageWords(stage) + ".")));
    }

    /** Every copy of the family just before the step: in which RAM, with which flags, or which kind of image entry. */
    private static ClassPart copies(World w, int family) {
        SortedSet<String> where = TreeSet.empty();
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            for (Bitmap b : n.bitmaps().values().filter(b -> w.ghost().family(b.lineage()) == family)) {
                where = where.add(id.lower() + "-ram" + (n.run() == RunState.INMIGRATE ? "-incoming"
                        : n.isActive() ? "" : "-inactive") + (b.skipStore() ? "-skip_store" : "")
                        + (b.inconsistent() ? "-inconsistent" : "") + (b.readonly() ? "-readonly" : ""));
            }
        }
        for (StoredBitmap e : w.image().directory().values().filter(e -> w.ghost().family(e.lineage()) == family)) {
            where = where.add("image" + (e.inUse() ? "-in-use" : "") + (w.image().autoclear() ? "" : "-autoclear-clear"));
        }
        String slug = where.isEmpty() ? "nowhere" : where.mkString("+");
        return new ClassPart(COPIES, slug, LossText.copies(where));
    }
}
