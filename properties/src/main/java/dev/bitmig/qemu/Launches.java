package dev.bitmig.qemu;

import dev.bitmig.model.NodeId;

import java.util.ArrayList;
import java.util.List;

/** How each flavour starts a QEMU on the shared image (docs/system/invocation, -blockdev and -incoming). */
final class Launches {
    private Launches() {
    }

    /**
     * Disagreement: the script runs {@code -machine accel=qtest} with read-only only on the qcow2 node and the socket as
     * -incoming of either node; the live runner runs {@code -M none}, read-only on both nodes, and a source launched
     * incoming with {@code -incoming defer}.
     */
    static Op.Launch launch(NodeId n, boolean incoming, boolean readOnly, Flavour f) {
        String ro = readOnly ? ",read-only=on" : "";
        String qmp = "unix:" + n.lower() + ".qmp,server=on,wait=off";
        List<Object> argv = new ArrayList<>();
        String in;
        if (f == Flavour.LIVE) {
            in = !incoming ? "" : n == NodeId.TARGET ? Place.MIGRATION_URI.file() : "defer";
            argv.addAll(List.of("qemu-system-x86_64", "-M", "none", "-nodefaults", "-display", "none", "-qmp", qmp, "-blockdev",
                    List.of("driver=file,filename=", Place.IMAGE, ",node-name=file0" + ro), "-blockdev",
                    "driver=qcow2,file=file0,node-name=" + QemuTable.DRIVE + ro));
        } else {
            in = incoming ? Place.MIGRATION_URI.file() : "";
            argv.addAll(List.of("qemu-system-x86_64", "-nodefaults", "-display", "none", "-machine", "accel=qtest", "-blockdev",
                    List.of("driver=file,filename=", Place.IMAGE, ",node-name=file0"), "-blockdev",
                    "driver=qcow2,file=file0,node-name=" + QemuTable.DRIVE + ro, "-qmp", qmp));
        }
        if (!in.isEmpty()) {
            argv.addAll(List.of("-incoming", in));
        }
        return new Op.Launch(n, in, readOnly, argv);
    }
}
