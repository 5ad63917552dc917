package dev.bitmig.live;

import dev.bitmig.model.NodeId;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What QEMU shows after a step: per process whether it runs and its named bitmaps on {@code drive0} (with SHA-256),
 * and the image's bitmap directory ({@code qemu-img info -U}) and autoclear bit 0.
 *
 * @param held       a node the harness holds stopped (SIGSTOP): it cannot be queried, and is not compared
 * @param unreadable QEMU's error when its node cannot be listed (e.g. "Block device drive0 is ejected" after a failed
 *                   activation left the node without a driver)
 * @param active     whether {@code drive0} is active, where QEMU reports it (10.0's {@code active} field)
 * @param anonymous  the anonymous bitmaps of {@code drive0} (successors of busy bitmaps, a backup job's block-copy
 *                   bitmap): QMP lists them without a name, with count, granularity and recording only
 */
public record Observation(Map<NodeId, Boolean> on, Map<NodeId, Boolean> held, Map<NodeId, Map<String, Bm>> bitmaps,
                          Map<NodeId, String> unreadable, Map<String, ImageBitmap> directory, boolean autoclear,
                          Map<NodeId, Boolean> active, Map<NodeId, List<Anonymous>> anonymous) {

    /** An anonymous bitmap as QEMU lists it. */
    public record Anonymous(long count, long granularity, boolean recording) {
    }

    /** One named bitmap as QEMU reports it. */
    public record Bm(long count, long granularity, boolean recording, boolean persistent, boolean busy,
                     boolean inconsistent, String sha256) {
    }

    static Observation of(LiveSystem sys) {
        Map<NodeId, Boolean> on = new EnumMap<>(NodeId.class);
        Map<NodeId, Boolean> held = new EnumMap<>(NodeId.class);
        Map<NodeId, Map<String, Bm>> bitmaps = new EnumMap<>(NodeId.class);
        Map<NodeId, String> unreadable = new EnumMap<>(NodeId.class);
        Map<NodeId, List<Anonymous>> anonymous = new EnumMap<>(NodeId.class);
        Map<NodeId, Boolean> active = new EnumMap<>(NodeId.class);
        for (NodeId n : NodeId.values()) {
            boolean alive = sys.alive(n);
            boolean frozen = sys.frozen(n);
            Map<String, Bm> bms = new TreeMap<>();
            if (alive && !frozen) {
                try {
                    QemuProcess p = sys.proc(n);
                    p.active(QemuLauncher.DRIVE_NODE).ifPresent(x -> active.put(n, x));
                    for (BitmapInfo b : p.bitmaps(QemuLauncher.DRIVE_NODE)) {
                        if (b.name().isEmpty()) {
                            anonymous.computeIfAbsent(n, k -> new java.util.ArrayList<>())
                                    .add(new Anonymous(b.count(), b.granularity(), b.recording()));
                            continue; // anonymous successors and temporaries
                        }
                        String sha = p.bitmapSha256(QemuLauncher.DRIVE_NODE, b.name());
                        bms.put(b.name(), new Bm(b.count(), b.granularity(), b.recording(), b.persistent(), b.busy(),
                                b.inconsistent(), sha));
                    }
                } catch (QemuGoneException e) {
                    alive = false;
                    bms.clear();
                } catch (QmpError e) {
                    unreadable.put(n, e.desc());
                    bms.clear();
                }
            }
            on.put(n, alive);
            held.put(n, alive && frozen);
            bitmaps.put(n, bms);
        }
        Map<String, ImageBitmap> dir = new TreeMap<>();
        List<ImageBitmap> entries = QemuImages.bitmaps(sys.launcher().image());
        for (ImageBitmap e : entries) {
            dir.put(e.name(), e);
        }
        boolean autoclear = (QemuImages.autoclearFeatures(sys.launcher().image()) & 1) != 0;
        return new Observation(on, held, bitmaps, unreadable, dir, autoclear, active, anonymous);
    }
}
