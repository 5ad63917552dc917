package dev.bitmig.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.check.TraceJson;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Granules;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Lineage;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.SortedSet;

/**
 * One world in words, for a replayed scenario: each QEMU's run state and its bitmaps (the clusters each reports, and
 * the truth: the clusters that really changed while it was meant to record), the image's entries, and every
 * invariant.
 */
final class StateView {
    private StateView() {
    }

    static List<String> lines(World w, Geometry g) {
        List<String> out = List.empty();
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            out = out.append(id.lower() + ": " + n.run() + ", " + n.block() + (n.readOnly() ? ", read-only" : ""));
            for (var e : n.bitmaps()) {
                out = out.append("  bitmap " + e._1 + ": " + bitmap(w, e._2, g));
            }
        }
        out = out.append("image: autoclear bit 0 " + (w.image().autoclear() ? "set" : "clear") + ", owner "
                + w.image().owner().map(NodeId::lower).getOrElse("none"));
        for (var e : w.image().directory()) {
            out = out.append("  entry " + e._1 + ": " + entry(w, e._2, g));
        }
        for (Invariant i : Invariant.values()) {
            out = out.append(i.title() + ": " + i.violation(w, g).map(v -> "VIOLATED: " + v).getOrElse("holds"));
        }
        return out;
    }

    static ObjectNode json(World w, Geometry g) {
        ObjectNode o = TraceJson.MAPPER.createObjectNode();
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            ObjectNode node = o.putObject(id.lower());
            node.put("run", n.run().name());
            node.put("block", n.block().name());
            node.put("readOnly", n.readOnly());
            ObjectNode bitmaps = node.putObject("bitmaps");
            n.bitmaps().forEach((name, b) -> bitmaps.put(name, bitmap(w, b, g)));
        }
        ObjectNode image = o.putObject("image");
        image.put("autoclear", w.image().autoclear());
        image.put("owner", w.image().owner().map(NodeId::lower).getOrElse("none"));
        ObjectNode entries = image.putObject("entries");
        w.image().directory().forEach((name, e) -> entries.put(name, entry(w, e, g)));
        ObjectNode inv = o.putObject("invariants");
        for (Invariant i : Invariant.values()) {
            inv.put(i.title(), i.violation(w, g).getOrElse("holds"));
        }
        return o;
    }

    private static String bitmap(World w, Bitmap b, Geometry g) {
        return "reports " + set(Granules.clusters(b.reported(), b.granularity(), g)) + ", truth " + truth(w, b.lineage())
                + ", granularity " + b.granularity() + (b.persistent() ? ", persistent" : ", transient")
                + (b.enabled() ? ", enabled" : ", disabled") + (b.busy() ? ", busy" : "")
                + (b.successor().isDefined() ? ", successor" : "") + (b.skipStore() ? ", skip_store" : "")
                + (b.inconsistent() ? ", inconsistent" : "") + (b.readonly() ? ", readonly" : "");
    }

    private static String entry(World w, StoredBitmap e, Geometry g) {
        return "reports " + set(Granules.clusters(e.granules(), e.granularity(), g)) + ", truth " + truth(w, e.lineage())
                + ", granularity " + e.granularity() + (e.inUse() ? ", IN_USE" : "") + (e.auto() ? ", AUTO" : "");
    }

    private static String truth(World w, int lineage) {
        return set(w.ghost().lineages().get(lineage).map(Lineage::truth).getOrElse(Granules.NONE));
    }

    private static String set(SortedSet<Integer> s) {
        return s.mkString("{", ",", "}");
    }
}
