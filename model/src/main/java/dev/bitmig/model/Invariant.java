package dev.bitmig.model;

import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.control.Option;

import java.util.function.UnaryOperator;

/** The safety properties, as pure predicates over one world. Each violation reads as a sentence. */
public enum Invariant {

    /**
     * Every usable bitmap covers its lineage's truth at granule resolution: each consistent bitmap in RAM of an active
     * node, the dirty bitmap of a mirror job on an active node, and each entry on the image that would load as
     * consistent. An under-report makes every later incremental
     * backup silently incomplete.
     */
    NO_UNDER_REPORT("NoUnderReport"),

    /** Never two nodes active read-write on one image, and the image's lock belongs to the one that is. */
    SINGLE_WRITER("SingleWriter"),

    /**
     * A persistent bitmap disappears, or turns inconsistent, only for a cause the user can see: remove, crash, a
     * bitmap-unaware writer, a failed store, an incoming QEMU that exited, or a drop that the policy documents.
     */
    NO_SILENT_LOSS("NoSilentLoss"),

    /**
     * No VM loses its disk: a reactivation that fails in the qcow2 driver (block/qcow2.c qcow2_co_invalidate_cache
     * sets bs->drv = NULL) leaves the node without a medium, and the VM that resumed, or tried to, has no disk (D4).
     */
    NO_LOST_DISK("NoLostDisk");

    private final String title;

    Invariant(String title) {
        this.title = title;
    }

    /** The name reports and JSON use. */
    public String title() {
        return title;
    }

    public static Option<Invariant> byTitle(String title) {
        return List.of(values()).find(i -> i.title.equals(title));
    }

    /** The violation in words, or none when the invariant holds. */
    public Option<String> violation(World w, Geometry geometry) {
        return switch (this) {
            case NO_UNDER_REPORT -> underReport(w, geometry);
            case SINGLE_WRITER -> twoWriters(w);
            case NO_SILENT_LOSS -> silentLoss(w);
            case NO_LOST_DISK -> lostDisk(w);
        };
    }

    /** The first QEMU, in node order, whose node has no medium after a failed reactivation. */
    private static Option<String> lostDisk(World w) {
        for (NodeId id : NodeId.values()) {
            if (w.node(id).block() == BlockState.EJECTED) {
                return Option.some("the " + id.lower() + " QEMU lost its disk: its reactivation failed in the qcow2 "
                        + "driver, which left the node without a medium (\"Block device drive0 is ejected\"), so the VM "
                        + "resumed, or tried to, without its disk");
            }
        }
        return Option.none();
    }

    /** The invariant without its words: what the explorer asks of every distinct state. */
    public boolean holds(World w, Geometry geometry) {
        return switch (this) {
            case NO_UNDER_REPORT -> firstUnderReporting(w, geometry).isEmpty();
            case SINGLE_WRITER -> twoWriters(w).isEmpty();
            case NO_SILENT_LOSS -> silentLoss(w).isEmpty();
            case NO_LOST_DISK -> w.source().block() != BlockState.EJECTED && w.target().block() != BlockState.EJECTED;
        };
    }

    /** A usable copy that under-reports: a bitmap in RAM, a mirror job's dirty bitmap, or an image entry. */
    private record UnderReporting(UnaryOperator<String> text, int lineage, SortedSet<Integer> granules,
                                  int granularity) {
        String sentence(World w, Geometry geometry) {
            return text.apply(missing(w, lineage, granules, granularity, geometry).mkString("{", ",", "}"));
        }
    }

    private static Option<String> underReport(World w, Geometry geometry) {
        return firstUnderReporting(w, geometry).map(u -> u.sentence(w, geometry));
    }

    /** The first usable copy, in node order, then the image, that misses a cluster of its lineage's truth. */
    private static Option<UnderReporting> firstUnderReporting(World w, Geometry geometry) {
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            if (!n.isActive()) {
                continue;
            }
            for (var e : n.bitmaps()) {
                Bitmap b = e._2;
                if (!b.inconsistent() && !n.unfinished(e._1, b) && misses(w, b.lineage(), b.reported(), b.granularity())) {
                    return Option.some(new UnderReporting(m -> "bitmap '" + e._1 + "' on the " + id.lower()
                            + " (granularity " + b.granularity() + ") does not report clusters " + m
                            + " that changed while it was meant to record", b.lineage(), b.reported(), b.granularity()));
                }
            }
            for (Mirror job : n.mirror()) {
                if (misses(w, job.lineage(), job.granules(), job.granularity())) {
                    return Option.some(new UnderReporting(m -> "the mirror job's dirty bitmap on the " + id.lower()
                            + " (granularity " + job.granularity() + ") does not report clusters " + m
                            + " that its target still lacks", job.lineage(), job.granules(), job.granularity()));
                }
            }
        }
        for (var e : w.image().consistentEntries()) {
            StoredBitmap s = e._2;
            if (misses(w, s.lineage(), s.granules(), s.granularity())) {
                return Option.some(new UnderReporting(m -> "image entry '" + e._1 + "' would load as consistent but"
                        + " does not report clusters " + m + " that changed while it was meant to record", s.lineage(),
                        s.granules(), s.granularity()));
            }
        }
        return Option.none();
    }

    /** Some cluster of the lineage's truth lies in a granule that is not set (hbitmap_get of the cluster's granule). */
    private static boolean misses(World w, int lineage, SortedSet<Integer> granules, int granularity) {
        Lineage l = w.ghost().lineages().get(lineage).getOrNull();
        if (l == null) {
            return false;
        }
        for (var c : l.origins()) {
            if (!granules.contains(c._1 / granularity)) {
                return true;
            }
        }
        return false;
    }

    /** Clusters of the lineage's truth that the granules do not report. */
    public static SortedSet<Integer> missing(World w, int lineage, SortedSet<Integer> granules, int granularity,
                                             Geometry geometry) {
        SortedSet<Integer> truth = w.ghost().lineages().get(lineage).map(Lineage::truth).getOrElse(Granules.NONE);
        SortedSet<Integer> reported = Granules.clusters(granules, granularity, geometry);
        return truth.removeAll(reported);
    }

    private static Option<String> twoWriters(World w) {
        if (w.source().isWriter() && w.target().isWriter()) {
            return Option.some("the source and the target are both active read-write on the image");
        }
        for (NodeId id : NodeId.values()) {
            if (w.node(id).isWriter() && !w.image().owner().contains(id)) {
                return Option.some("the " + id.lower() + " is active read-write without holding the image's lock");
            }
        }
        return Option.none();
    }

    private static Option<String> silentLoss(World w) {
        return w.losses().find(l -> l.cause() == Cause.SILENT).map(Invariant::silentLossMessage);
    }

    /** A silent loss in words. */
    static String silentLossMessage(Loss l) {
        return "persistent bitmap '" + l.bitmap() + "' is gone: no consistent copy in RAM and none on the image, "
                + "and nothing the user could see explains it";
    }
}
