package dev.bitmig.report;

import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Cause;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Lineage;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.RunState;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model world as the reproducer needs it to judge QEMU as qemu-live's Comparison does: per node whether it runs,
 * counts for availability (on and not incoming) and is active, its bitmaps with their lineages; the image's entries;
 * each lineage's truth (the clusters that changed while it was meant to record) and the family of each persistent one;
 * the families whose loss the model explains; the invariants the world violates, in words.
 */
final class ModelView {
    private ModelView() {
    }

    static Map<String, Object> of(World w, Geometry g) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("on", n.isOn());
            node.put("counts", n.isOn() && n.run() != RunState.INMIGRATE);
            node.put("active", n.isActive());
            Map<String, Object> bms = new LinkedHashMap<>();
            for (var e : n.bitmaps()) {
                Bitmap b = e._2;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("lineage", b.lineage());
                m.put("granularity", b.granularity());
                m.put("granules", b.granules().toJavaList());
                m.put("recording", b.recording());
                m.put("persistent", b.persistent());
                m.put("busy", b.busy());
                m.put("inconsistent", b.inconsistent());
                // a busy bitmap's successor (anonymous on QEMU), and whether it is still arriving (Invariant)
                m.put("successor", b.successor().map(x -> Map.of("enabled", x.enabled(),
                        "granules", x.granules().toJavaList())).getOrNull());
                m.put("unfinished", n.unfinished(e._1, b));
                bms.put(e._1, m);
            }
            node.put("bitmaps", bms);
            nodes.put(id.lower(), node);
        }
        out.put("nodes", nodes);
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("autoclear", w.image().autoclear());
        Map<String, Object> entries = new LinkedHashMap<>();
        for (var e : w.image().directory()) {
            StoredBitmap s = e._2;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lineage", s.lineage());
            m.put("granularity", s.granularity());
            m.put("granules", s.granules().toJavaList());
            m.put("inUse", s.inUse());
            entries.put(e._1, m);
        }
        image.put("entries", entries);
        out.put("image", image);
        Map<String, Object> truth = new LinkedHashMap<>();
        Map<String, Object> families = new LinkedHashMap<>();
        for (var e : w.ghost().lineages()) {
            Lineage l = e._2;
            truth.put(Integer.toString(e._1), l.truth().toJavaList());
            if (l.persistent()) {
                families.put(Integer.toString(e._1), l.family());
            }
        }
        out.put("truth", truth);
        out.put("families", families);
        out.put("visibleFamilies", w.losses().filter(l -> l.cause() != Cause.SILENT).map(l -> l.lineage()).toJavaList());
        List<String> violations = new ArrayList<>();
        for (Invariant i : Invariant.values()) {
            i.violation(w, g).forEach(v -> violations.add(i.title() + ": " + v));
        }
        out.put("violations", violations);
        return out;
    }
}
