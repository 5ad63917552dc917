package dev.bitmig.live;

import dev.bitmig.live.LiveSystem.Unmappable;
import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.qemu.NoSpaceLayer;
import dev.bitmig.qemu.Op;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The volume under the image as the live runner keeps it (Action.VolumeFull, --store-failures only): whether it is
 * full, and for each QEMU process whether its blkdebug layer ({@link NoSpaceLayer}) has its ENOSPC rules armed. Each
 * vmstate read switches a process's layer, so the runner sends one only to a process whose layer is not yet as the
 * volume is. The volume's state outlives the processes: one launched while it is full starts with the rules armed.
 */
final class LiveVolume {
    /** HMP qemu-io's answer on a node without a driver (D4, block/block-backend.c blk_check_byte_request). */
    static final String NO_MEDIUM = "No medium found";

    private final boolean layered;
    private boolean full;
    /** Per process: its layer's rules armed (true) or not; absent once its node has no driver (it cannot switch). */
    private final Map<QemuProcess, Boolean> armed = new IdentityHashMap<>();
    /** Processes that had a write refused since the volume filled: their caches may hold the refused allocation. */
    private final java.util.Set<QemuProcess> refused = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    LiveVolume(boolean layered) {
        this.layered = layered;
    }

    boolean layered() {
        return layered;
    }

    boolean full() {
        return full;
    }

    /** How the next QEMU opens the image. */
    QemuLauncher.Volume forLaunch() {
        return !layered ? QemuLauncher.Volume.PLAIN : full ? QemuLauncher.Volume.FULL : QemuLauncher.Volume.SPACE;
    }

    /** A process just started with {@link #forLaunch()}. */
    void launched(QemuProcess p) {
        if (layered) {
            armed.put(p, full);
        }
    }

    /** The table's launch as the script shows it: with the layer when there is one. */
    Op.Launch shown(Op.Launch l) {
        return layered ? NoSpaceLayer.launch(l, full) : l;
    }

    /**
     * The table's flushes and switches (QemuTable, NoSpaceLayer.ops) on every QEMU that runs. A process whose node has
     * no driver (a failed activation ejected it, D4) answers "No medium found" and its layer stays as it was: nothing
     * can write through that node any more (its qcow2 driver is gone, so neither guest writes, bitmap stores nor
     * IN_USE updates reach the file, block/qcow2.c qcow2_co_invalidate_cache), so its layer's state cannot show.
     */
    Outcome apply(LiveSystem sys, Action.VolumeFull a) {
        if (!layered) {
            throw new Unmappable("a full volume needs the blkdebug layer under drive0 from each QEMU's start: "
                    + "run with --store-failures");
        }
        if (a.full() == full) {
            sys.note("# the volume is already " + (full ? "full" : "free") + ": nothing to switch");
            return Outcome.next(null);
        }
        if (sys.frozen(NodeId.TARGET)) {
            throw new Unmappable("the volume changes while the target is held (SIGSTOP) between handover and completion: "
                    + "its blkdebug layer cannot be switched without letting it complete the migration");
        }
        for (Op op : LiveSystem.ops(a)) {
            Op.QemuIo io = (Op.QemuIo) op;
            if (!sys.alive(io.node())) continue;
            QemuProcess p = sys.proc(io.node());
            if (!armed.containsKey(p)) {
                sys.note("# " + io.node().lower() + "'s node has no driver (ejected): its layer is left as it is");
                continue;
            }
            boolean toggle = io.command().equals(NoSpaceLayer.TOGGLE);
            if (toggle && armed.get(p) == a.full()) continue;
            String out = sys.run(op).output();
            if (out.contains(NO_MEDIUM)) {
                armed.remove(p);
            } else if (toggle) {
                armed.put(p, a.full());
            }
        }
        full = a.full();
        refused.clear(); // flushed before the volume filled, or after it was freed
        return Outcome.next(null);
    }

    /**
     * After a step of {@code sys}: a write of that QEMU that failed with ENOSPC (a guest write, a store, an IN_USE or
     * header update) may have left a refused allocation in its qcow2 caches (block/qcow2-cluster.c
     * qcow2_alloc_cluster_abort, block/qcow2-refcount.c), which its next flush cannot write either.
     */
    void afterStep(LiveSystem sys, Action a, Outcome o) {
        if (!full || o.error().isEmpty() || !o.error().get().contains(QemuErrors.NO_SPACE)) return;
        dev.bitmig.model.Actor.of(a).filter(sys::alive).forEach(n -> refused.add(sys.proc(n)));
    }

    /** The source's completion failed on a full volume: its failed store's allocations stay in its caches. */
    void completionFailed(LiveSystem sys) {
        if (full && sys.alive(NodeId.SOURCE)) refused.add(sys.proc(NodeId.SOURCE));
    }

    /** Whether {@code n}'s flush may fail: the volume is full and a write of that QEMU was refused since it filled. */
    boolean mayFailFlush(LiveSystem sys, NodeId n) {
        return full && sys.alive(n) && refused.contains(sys.proc(n));
    }

    /**
     * Offline tools on a full volume are refused by the model in bitmig's words (TOOL_ON_FULL_VOLUME): the standalone
     * tool opens the image without the layer, so the runner does not run it and answers for it, after the image lock
     * that the model checks first (block/file-posix.c raw_check_lock_bytes: a tool's open fails while a QEMU holds it).
     * Null when the volume has space.
     */
    Outcome refuseTool(LiveSystem sys) {
        if (!full) return null;
        sys.note("# the volume is full: the tool is not run (not modelled), the lock is probed");
        return Outcome.rejected(sys.imageLocked() ? QemuErrors.WRITE_LOCK : QemuErrors.TOOL_ON_FULL_VOLUME);
    }
}
