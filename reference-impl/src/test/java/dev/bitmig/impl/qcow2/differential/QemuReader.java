package dev.bitmig.impl.qcow2.differential;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * QEMU's reading of an image: the image is attached read-only to a running QEMU (blockdev-add), the directory
 * entries come from the node's format-specific image info, the loaded bitmaps from query-named-block-nodes'
 * dirty-bitmaps and x-debug-block-dirty-bitmap-sha256; then the node is deleted again. One QEMU serves any number
 * of images this way.
 */
final class QemuReader {
    private final SharedQemu shared;
    private long nodes;

    QemuReader(SharedQemu shared) {
        this.shared = shared;
    }

    ImageView read(Path image) throws IOException, InterruptedException {
        QemuProcess qemu = shared.get();
        String node = "r" + (nodes++);
        try {
            qemu.execute("blockdev-add", QemuProcess.args().put("driver", "qcow2").put("node-name", node)
                    .put("read-only", true).set("file", QemuProcess.args().put("driver", "file")
                            .put("filename", image.toString())));
        } catch (QemuProcess.QmpError e) {
            return ImageView.refused(e.getMessage());
        }
        try {
            return view(qemu, node);
        } finally {
            qemu.execute("blockdev-del", QemuProcess.args().put("node-name", node));
        }
    }

    private static ImageView view(QemuProcess qemu, String node) {
        JsonNode info = null;
        for (JsonNode n : qemu.execute("query-named-block-nodes", QemuProcess.args().put("flat", true))) {
            if (node.equals(n.path("node-name").asText())) {
                info = n;
            }
        }
        if (info == null) {
            throw new QemuProcess.QmpError("query-named-block-nodes", "node " + node + " is not listed");
        }
        SortedMap<String, BitmapView> out = new TreeMap<>();
        SortedMap<String, JsonNode> entries = new TreeMap<>();
        for (JsonNode e : info.path("image").path("format-specific").path("data").path("bitmaps")) {
            entries.put(e.path("name").asText(), e);
        }
        SortedMap<String, JsonNode> loaded = new TreeMap<>();
        for (JsonNode b : info.path("dirty-bitmaps")) {
            loaded.put(b.path("name").asText(), b);
        }
        TreeSet<String> names = new TreeSet<>(entries.keySet());
        names.addAll(loaded.keySet());
        for (String name : names) {
            JsonNode e = entries.get(name);
            JsonNode b = loaded.get(name);
            TreeSet<String> flags = new TreeSet<>();
            if (e != null) {
                e.path("flags").forEach(f -> flags.add(f.asText()));
            }
            long granularity = e != null ? e.path("granularity").asLong() : b.path("granularity").asLong();
            String sha = b == null ? "" : qemu.execute("x-debug-block-dirty-bitmap-sha256", QemuProcess.args()
                    .put("node", node).put("name", name)).path("sha256").asText();
            out.put(name, new BitmapView(name, granularity, flags, b != null,
                    b != null && b.path("inconsistent").asBoolean(false), b != null && b.path("recording").asBoolean(),
                    b == null ? 0 : b.path("count").asLong(), sha));
        }
        return ImageView.of(out);
    }
}
