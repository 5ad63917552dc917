package dev.bitmig.qemu;

import dev.bitmig.model.NodeId;

import java.util.ArrayList;
import java.util.List;

/**
 * The live runner's full volume (Action.VolumeFull, only under --store-failures): a blkdebug node ({@code nospace0})
 * between the qcow2 node and the file, whose ENOSPC rules a monitor command switches on and off.
 *
 * <p>block/blkdebug.c: {@code inject-error} rules apply in one state of blkdebug's state machine; a {@code set-state}
 * rule moves it on a block event. The only block event the monitor can fire is {@code vmstate_load}: qcow2's
 * {@code qcow2_load_vmstate} (block/qcow2.c) emits BLKDBG_VMSTATE_LOAD on its file child, and HMP
 * {@code qemu-io drive0 "read -b 0 512"} (a vmstate read) reaches it. State 1 is a volume with space, state 2 a full
 * one: in state 1 that event arms ENOSPC (errno 28) for every {@code write} and {@code write-zeroes} and moves to 2; in
 * state 2 it arms a rule with errno 0, which replaces the active rules ({@code process_rule} starts a new active list with
 * an event's first inject rule) and which {@code rule_check} lets pass, and moves back to 1. A QEMU started while the
 * volume is full also has the ENOSPC rules on the {@code none} event, which {@code blkdebug_open} fires once, so it
 * opens in state 2 with the rules armed (before qcow2 writes its IN_USE flags).
 */
public final class NoSpaceLayer {
    /** The blkdebug node's name. */
    public static final String NODE = "nospace0";
    /** The qemu-io command that fires vmstate_load on drive0's file child: each one switches the volume. */
    public static final String TOGGLE = "read -b 0 512";
    /** qemu-io's flush of drive0 (bdrv_co_flush): qcow2 writes out its L2 and refcount caches. */
    public static final String FLUSH = "flush";

    private NoSpaceLayer() {
    }

    /** The -blockdev JSON of the blkdebug node over file0; {@code full}: it starts with the ENOSPC rules armed. */
    public static String blockdev(boolean full, boolean readOnly) {
        StringBuilder inject = new StringBuilder();
        inject.append(rule("vmstate_load", 1, 28, "write")).append(',').append(rule("vmstate_load", 1, 28, "write-zeroes"))
                .append(",{\"event\":\"vmstate_load\",\"state\":2,\"errno\":0,\"immediately\":true}");
        StringBuilder states = new StringBuilder("{\"event\":\"vmstate_load\",\"state\":1,\"new_state\":2},"
                + "{\"event\":\"vmstate_load\",\"state\":2,\"new_state\":1}");
        if (full) {
            inject.append(',').append(rule("none", 1, 28, "write")).append(',').append(rule("none", 1, 28, "write-zeroes"));
            states.append(",{\"event\":\"none\",\"state\":1,\"new_state\":2}");
        }
        return "{\"driver\":\"blkdebug\",\"node-name\":\"" + NODE + "\",\"image\":\"file0\"" + (readOnly ? ",\"read-only\":true" : "")
                + ",\"inject-error\":[" + inject + "],\"set-state\":[" + states + "]}";
    }

    private static String rule(String event, int state, int errno, String iotype) {
        return "{\"event\":\"" + event + "\",\"state\":" + state + ",\"errno\":" + errno + ",\"iotype\":\"" + iotype
                + "\",\"immediately\":true}";
    }

    /**
     * The table's launch with the layer: the qcow2 node's file is {@code nospace0}, declared just before it. Every other
     * argument stays as the table spells it.
     */
    public static Op.Launch launch(Op.Launch l, boolean full) {
        List<Object> argv = new ArrayList<>();
        for (Object a : l.argv()) {
            if (a instanceof String s && s.startsWith("driver=qcow2,file=file0,")) {
                argv.add(blockdev(full, l.readOnly()));
                argv.add("-blockdev");
                argv.add(s.replace("file=file0,", "file=" + NODE + ","));
            } else {
                argv.add(a);
            }
        }
        return new Op.Launch(l.node(), l.incoming(), l.readOnly(), argv);
    }

    /** qemu-io flush on {@code n}'s drive0. */
    public static Op flush(NodeId n) {
        return new Op.QemuIo(n, QemuTable.DRIVE, FLUSH);
    }

    /** The vmstate read that switches {@code n}'s layer. */
    public static Op toggle(NodeId n) {
        return new Op.QemuIo(n, QemuTable.DRIVE, TOGGLE);
    }

    /**
     * The live operations of a volume that fills ({@code full}) or is freed, for both QEMUs; the live runner sends
     * each only to a QEMU that runs, can answer, and whose layer is not already so. Filling: every QEMU flushes first
     * (the model assumes clean caches when the volume fills), then switches. Freeing: every QEMU switches, then
     * flushes (the model clears Node.unflushed: what the caches held reaches the image).
     */
    public static List<Op> ops(boolean full) {
        List<Op> flushes = List.of(flush(NodeId.SOURCE), flush(NodeId.TARGET));
        List<Op> toggles = List.of(toggle(NodeId.SOURCE), toggle(NodeId.TARGET));
        List<Op> out = new ArrayList<>(full ? flushes : toggles);
        out.addAll(full ? toggles : flushes);
        return List.copyOf(out);
    }
}
