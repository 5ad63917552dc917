package dev.bitmig.report;

import dev.bitmig.model.BlockState;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.World;
import dev.bitmig.qemu.NoSpaceLayer;
import dev.bitmig.qemu.Op;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The volume under the image in a generated iotest (store failures only), kept as the live runner keeps it
 * (qemu-live LiveVolume): every VM opens the image through the blkdebug layer of {@link NoSpaceLayer}, armed when it
 * starts on a full volume; a VolumeFull step flushes and switches the layer of each running VM whose layer is not yet
 * as the volume is. A VM whose node the model has ejected is left as it is (its qcow2 driver is gone: nothing it does
 * reaches the file).
 */
final class IotestVolume {
    private final boolean layered;
    private boolean full;
    private final Map<NodeId, Boolean> armed = new EnumMap<>(NodeId.class);

    IotestVolume(boolean layered) {
        this.layered = layered;
    }

    boolean full() {
        return full;
    }

    boolean layered() {
        return layered;
    }

    /** setUp's launch of the source, on a volume with space (the header is written after the steps). */
    static String initialLaunchArgument(boolean layered) {
        return layered ? ", layer=" + IotestLines.py(NoSpaceLayer.blockdev(false, false)) : "";
    }

    /** The launch argument that puts the layer under drive0 as the volume is now, or nothing without store failures. */
    String launchArgument(boolean readOnly) {
        return layered ? ", layer=" + IotestLines.py(NoSpaceLayer.blockdev(full, readOnly)) : "";
    }

    /** A VM of {@code n} started now. */
    void launched(NodeId n) {
        if (layered) {
            armed.put(n, full);
        }
    }

    /** The volume fills or is freed: the operations for the VMs that run (none while the volume already is so). */
    List<Op> change(boolean toFull, Set<NodeId> alive, World before) {
        List<Op> out = new ArrayList<>();
        if (toFull == full) {
            out.add(new Op.Note("the volume is already " + (full ? "full" : "free") + ": nothing to switch"));
            return out;
        }
        for (Op op : NoSpaceLayer.ops(toFull)) {
            NodeId n = ((Op.QemuIo) op).node();
            if (!alive.contains(n) || !armed.containsKey(n)) continue;
            if (before.node(n).block() == BlockState.EJECTED) {
                out.add(new Op.Note(n.lower() + "'s node has no driver (ejected): its layer is left as it is"));
                armed.remove(n);
                continue;
            }
            boolean toggle = ((Op.QemuIo) op).command().equals(NoSpaceLayer.TOGGLE);
            if (toggle && armed.get(n) == toFull) continue;
            out.add(op);
            if (toggle) armed.put(n, toFull);
        }
        full = toFull;
        return out;
    }
}
