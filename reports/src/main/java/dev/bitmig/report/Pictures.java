package dev.bitmig.report;

import dev.bitmig.check.Replay;
import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.Actor;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Granules;
import dev.bitmig.model.Lineage;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Phase;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The two pictures of a counterexample page, as inline SVG with no external resource: a timeline (one lane each for
 * the source QEMU, the target QEMU, the image and the other tools; each action a mark in its actor's lane; run and
 * active/inactive states as bands; the migration's phases shaded) and, per bitmap and step, a strip of its clusters
 * against the truth, with the missed clusters in red.
 */
final class Pictures {
    private Pictures() {
    }

    private static final int STEP = 78;
    private static final int LEFT = 130;
    private static final int LANE = 34;
    /** The most clusters a strip draws one by one; larger disks show only the clusters that matter. */
    static final int MAX_CELLS = 48;

    /** The worlds of a replay: the initial one, then one after each step. */
    static List<World> worlds(Trace t, Replay r) {
        return r.worlds().prepend(t.initial().build(t.configuration()));
    }

    static String timeline(Trace t, Replay r) {
        List<World> ws = worlds(t, r);
        int n = ws.size();
        int width = Math.max(LEFT + STEP * n + 20, LEFT + 700);
        int top = 36;
        int height = top + LANE * 4 + 40;
        StringBuilder b = svg(width, height, "timeline of the counterexample: lanes for source, target, image and tools");
        for (int i = 0; i < n; i++) {
            Phase p = ws.get(i).migration().phase();
            boolean handed = ws.get(i).migration().handedOver();
            String fill = p != Phase.ACTIVE ? null : handed ? "#ffe8c2" : "#dce9ff";
            if (fill != null) {
                rect(b, x(i) - STEP / 2, top - 6, STEP, LANE * 4 + 8, fill, "migration " + (handed ? "handed over" : "running"));
            }
            text(b, x(i), 14, i == 0 ? "start" : "step " + i, "middle", 11);
            String ended = p == Phase.ACTIVE || p == Phase.NONE ? "" : "migration " + p.name().toLowerCase(Locale.ROOT);
            if (!ended.isEmpty() && (i == 0 || ws.get(i - 1).migration().phase() != p)) {
                text(b, x(i), 28, ended, "middle", 10);
            }
        }
        String[] lanes = {"source QEMU", "target QEMU", "image", "other tools"};
        for (int l = 0; l < lanes.length; l++) {
            text(b, 8, top + l * LANE + LANE / 2 + 4, lanes[l], "start", 12);
        }
        for (int i = 0; i < n; i++) {
            World w = ws.get(i);
            for (NodeId id : NodeId.values()) {
                Node node = w.node(id);
                int y = top + id.ordinal() * LANE + 6;
                if (node.isOn()) {
                    String fill = node.isActive() ? (node.readOnly() ? "#c9c9ef" : "#9fd89f") : "#d4d4d4";
                    rect(b, x(i) - STEP / 2 + 2, y, STEP - 4, LANE - 12, fill,
                            id.lower() + ": " + node.run() + ", " + node.block());
                    text(b, x(i), y + 15, node.run().name().toLowerCase(Locale.ROOT), "middle", 10);
                }
            }
            int y = top + 2 * LANE + 6;
            rect(b, x(i) - STEP / 2 + 2, y, STEP - 4, LANE - 12, w.image().autoclear() ? "#e3e3fb" : "#f6cfcf",
                    "autoclear bit 0 " + (w.image().autoclear() ? "set" : "clear") + "; lock: "
                            + w.image().owner().map(NodeId::lower).getOrElse("none"));
            text(b, x(i), y + 15, w.image().directory().size() + " entr" + (w.image().directory().size() == 1 ? "y" : "ies")
                    + w.image().owner().map(o -> ", " + o.lower()).getOrElse(""), "middle", 10);
        }
        for (int i = 0; i < t.actions().size(); i++) {
            Action a = t.actions().get(i);
            boolean rejected = r.outcomes().get(i).error().isDefined();
            int lane = lane(a);
            int cx = x(i + 1) - STEP / 2;
            int cy = top + lane * LANE + LANE / 2;
            b.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"9\" fill=\"%s\" stroke=\"#333\"%s>"
                    + "<title>%s</title></circle>", cx, cy, rejected ? "#fff" : "#ffd84d",
                    rejected ? " stroke-dasharray=\"3,2\"" : "", Doc.esc((i + 1) + ". " + a + (rejected ? " (rejected)" : ""))));
            text(b, cx, cy + 4, Integer.toString(i + 1), "middle", 10);
        }
        int ly = top + LANE * 4 + 22;
        legend(b, LEFT, ly, "#9fd89f", "active read-write");
        legend(b, LEFT + 150, ly, "#d4d4d4", "running, inactive");
        legend(b, LEFT + 300, ly, "#dce9ff", "migrating");
        legend(b, LEFT + 420, ly, "#ffe8c2", "handed over");
        legend(b, LEFT + 550, ly, "#ffd84d", "an action");
        return b.append("</svg>").toString();
    }

    /** Whose lane an action belongs in: the node it acts on, the tools, or (migration commands) the source. */
    static int lane(Action a) {
        if (a instanceof Action.ForeignWrite) {
            return 3;
        }
        return Actor.of(a).map(NodeId::ordinal).getOrElse(0);
    }

    static String strips(Trace t, Replay r) {
        List<World> ws = worlds(t, r);
        Geometry g = t.configuration().geometry();
        Map<String, java.util.List<Cells>> rows = new LinkedHashMap<>();
        for (int i = 0; i < ws.size(); i++) {
            World w = ws.get(i);
            for (NodeId id : NodeId.values()) {
                for (var e : w.node(id).bitmaps()) {
                    row(rows, id.lower() + " " + e._1, ws.size()).set(i, cells(w, w.node(id), e._2, g));
                }
            }
            for (var e : w.image().directory()) {
                row(rows, "image " + e._1, ws.size()).set(i, cells(w, e._2, g));
            }
        }
        SortedSet<Integer> shown = shownClusters(rows, g);
        int cell = 11;
        int colWidth = Math.max(STEP, shown.size() * cell + 12);
        int width = Math.max(LEFT + colWidth * ws.size() + 20, LEFT + 800);
        int height = 44 + rows.size() * 24 + 30;
        StringBuilder b = svg(width, height, "per bitmap and step, the clusters it reports against the truth");
        for (int i = 0; i < ws.size(); i++) {
            text(b, LEFT + colWidth * i + colWidth / 2, 16, i == 0 ? "start" : "step " + i, "middle", 11);
        }
        int y = 30;
        for (var row : rows.entrySet()) {
            text(b, 8, y + 12, row.getKey(), "start", 12);
            for (int i = 0; i < ws.size(); i++) {
                Cells c = row.getValue().get(i);
                int x0 = LEFT + colWidth * i + (colWidth - shown.size() * cell) / 2;
                if (c == null) {
                    text(b, LEFT + colWidth * i + colWidth / 2, y + 12, "–", "middle", 11);
                    continue;
                }
                int k = 0;
                for (int cluster : shown) {
                    boolean rep = c.reported().contains(cluster);
                    boolean tru = c.truth().contains(cluster);
                    String fill = tru && !rep ? "#e03131" : tru ? "#37a537" : rep ? "#bfe6bf" : "#ffffff";
                    String what = tru && !rep ? "missed" : tru ? "reported, changed" : rep ? "reported, unchanged" : "clean";
                    if (!c.usable()) {
                        b.append("<g opacity=\"0.3\">");
                    }
                    rect(b, x0 + k * cell, y + 2, cell - 2, 14, fill, row.getKey() + ", cluster " + cluster + ": " + what
                            + (c.usable() ? "" : " (not judged: inconsistent, IN_USE, or on an inactive node)"));
                    if (!c.usable()) {
                        b.append("</g>");
                    }
                    k++;
                }
            }
            y += 24;
        }
        int ly = y + 14;
        legend(b, LEFT, ly, "#e03131", "missed: changed, not reported");
        legend(b, LEFT + 230, ly, "#37a537", "changed and reported");
        legend(b, LEFT + 410, ly, "#bfe6bf", "reported, unchanged");
        legend(b, LEFT + 580, ly, "#ffffff", "clean");
        b.append("<g opacity=\"0.3\">");
        rect(b, LEFT + 650, ly - 10, 12, 12, "#e03131", "faded: a copy that is not judged");
        b.append("</g>");
        text(b, LEFT + 667, ly, "faded: not judged", "start", 11);
        return b.append("</svg>").toString();
    }

    /** One bitmap at one step: the clusters it reports, its truth, and whether it is judged. */
    record Cells(SortedSet<Integer> reported, SortedSet<Integer> truth, boolean usable) { }

    /** A bitmap in RAM is judged when it is consistent and its node active (Invariant.NO_UNDER_REPORT). */
    private static Cells cells(World w, Node n, Bitmap b, Geometry g) {
        return new Cells(Granules.clusters(b.reported(), b.granularity(), g), truth(w, b.lineage()),
                !b.inconsistent() && n.isActive());
    }

    /** An entry is judged when it would load as consistent: autoclear bit 0 set and IN_USE clear. */
    private static Cells cells(World w, StoredBitmap e, Geometry g) {
        return new Cells(Granules.clusters(e.granules(), e.granularity(), g), truth(w, e.lineage()),
                !e.inUse() && w.image().autoclear());
    }

    private static SortedSet<Integer> truth(World w, int lineage) {
        return w.ghost().lineages().get(lineage).map(Lineage::truth).getOrElse(Granules.NONE);
    }

    private static java.util.List<Cells> row(Map<String, java.util.List<Cells>> rows, String key, int steps) {
        return rows.computeIfAbsent(key, k -> new java.util.ArrayList<>(java.util.Collections.nCopies(steps, null)));
    }

    /** Every cluster of a small disk; on a large one only those some bitmap reports or some truth holds. */
    private static SortedSet<Integer> shownClusters(Map<String, java.util.List<Cells>> rows, Geometry g) {
        if (g.clusters() <= MAX_CELLS) {
            return TreeSet.range(0, g.clusters());
        }
        SortedSet<Integer> s = TreeSet.empty();
        for (var row : rows.values()) {
            for (Cells c : row) {
                if (c != null) {
                    s = s.addAll(c.reported()).addAll(c.truth());
                }
            }
        }
        return s.take(MAX_CELLS);
    }

    private static int x(int i) {
        return LEFT + STEP * i + STEP / 2;
    }

    private static StringBuilder svg(int width, int height, String title) {
        return new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"sans-serif\"><title>%s</title>",
                width, height, width, height, Doc.esc(title)));
    }

    private static void rect(StringBuilder b, int x, int y, int w, int h, String fill, String title) {
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                + "stroke=\"#888\" stroke-width=\"0.5\"><title>%s</title></rect>", x, y, w, h, fill, Doc.esc(title)));
    }

    private static void text(StringBuilder b, int x, int y, String s, String anchor, int size) {
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-size=\"%d\">%s</text>",
                x, y, anchor, size, Doc.esc(s)));
    }

    private static void legend(StringBuilder b, int x, int y, String fill, String label) {
        rect(b, x, y - 10, 12, 12, fill, label);
        text(b, x + 17, y, label, "start", 11);
    }
}
