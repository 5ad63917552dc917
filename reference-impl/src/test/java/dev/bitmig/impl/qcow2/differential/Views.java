package dev.bitmig.impl.qcow2.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Comparing two readers' views and describing them for a report. */
final class Views {
    private Views() {
    }

    /** How {@code qemu} and {@code bitmig} differ, bitmap by bitmap; empty when they agree. */
    static List<String> differences(ImageView qemu, ImageView bitmig) {
        List<String> out = new ArrayList<>();
        if (qemu.opens() != bitmig.opens()) {
            out.add("QEMU " + (qemu.opens() ? "opens the image" : "refuses it (" + qemu.refusal() + ")")
                    + ", bitmig " + (bitmig.opens() ? "opens it" : "refuses it (" + bitmig.refusal() + ")"));
            return out;
        }
        TreeSet<String> names = new TreeSet<>(qemu.bitmaps().keySet());
        names.addAll(bitmig.bitmaps().keySet());
        for (String n : names) {
            BitmapView q = qemu.bitmaps().get(n);
            BitmapView b = bitmig.bitmaps().get(n);
            if (q == null || !q.equals(b)) {
                out.add("'" + abbreviate(n) + "': QEMU " + describe(q) + ", bitmig " + describe(b));
            }
        }
        return out;
    }

    static String describe(ImageView v) {
        if (!v.opens()) {
            return "refused: " + v.refusal();
        }
        StringBuilder sb = new StringBuilder();
        v.bitmaps().values().forEach(b -> sb.append("\n    '").append(abbreviate(b.name())).append("' ")
                .append(describe(b)));
        return v.bitmaps().size() + " bitmaps" + sb;
    }

    static String describe(BitmapView b) {
        if (b == null) {
            return "has no such bitmap";
        }
        return "granularity " + b.granularity() + " flags " + new TreeSet<>(b.flags())
                + (b.loaded() ? "" : " not loaded") + (b.inconsistent() ? " inconsistent" : "")
                + (b.recording() ? " recording" : "") + " count " + b.count() + " sha256 " + b.sha256();
    }

    /** Long names shortened for reports (the saved history holds them whole). */
    static String abbreviate(String name) {
        return name.length() <= 40 ? name : name.substring(0, 30) + "...(" + name.length() + " chars)";
    }
}
