package dev.bitmig.impl.qcow2.differential;

import dev.bitmig.impl.qcow2.differential.QemuStep.BitmapOp;
import dev.bitmig.impl.qcow2.differential.QemuStep.Ending;
import dev.bitmig.impl.qcow2.differential.QemuStep.IoOp;
import dev.bitmig.impl.qcow2.differential.QemuStep.LiveBitmap;
import dev.bitmig.impl.qcow2.differential.QemuStep.LiveIo;
import dev.bitmig.impl.qcow2.differential.QemuStep.LiveOp;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays a {@link QemuHistory} on an image with QEMU's tools only, and says what each step did ("ok" or QEMU's
 * refusal). A refused step is part of the history, not a failure: the readers must agree whatever QEMU left.
 */
final class QemuHistoryRunner {
    private final QemuInstall qemu;
    private final QemuImg img;
    private final SharedQemu shared;
    private long nodes;
    private int dedicatedStarts;

    QemuHistoryRunner(QemuInstall qemu, SharedQemu shared) {
        this.qemu = qemu;
        this.img = new QemuImg(qemu);
        this.shared = shared;
    }

    /** QEMU processes started for QUIT and KILL endings so far. */
    int dedicatedStarts() {
        return dedicatedStarts;
    }

    List<String> run(QemuHistory history, Path image) throws IOException, InterruptedException {
        List<String> log = new ArrayList<>();
        for (QemuStep step : history.steps()) {
            log.add(run(step, image));
        }
        return log;
    }

    private String run(QemuStep step, Path image) throws IOException, InterruptedException {
        String path = image.toString();
        if (step instanceof QemuStep.Create c) {
            return outcome(img.run("create", "-q", "-f", "qcow2", "-o", "cluster_size=" + c.clusterSize(), path,
                    Long.toString(c.size())));
        } else if (step instanceof QemuStep.ImgBitmap b) {
            return outcome(img.run(bitmapArgs(b, path)));
        } else if (step instanceof QemuStep.Io io) {
            List<String> cmd = new ArrayList<>(List.of(qemu.qemuIo().toString(), "-f", "qcow2"));
            for (IoOp op : io.ops()) {
                cmd.add("-c");
                cmd.add(op.command());
            }
            cmd.add(path);
            return outcome(ToolRun.run(cmd, QemuImg.TIMEOUT));
        } else if (step instanceof QemuStep.RawHeaderWrite) {
            return outcome(ToolRun.run(List.of(qemu.qemuIo().toString(), "-f", "raw", "-c", "write -P 0 88 8",
                    path), QemuImg.TIMEOUT));
        } else if (step instanceof QemuStep.Live live) {
            return live(live, image);
        }
        throw new IllegalArgumentException("unknown step " + step);
    }

    private static String[] bitmapArgs(QemuStep.ImgBitmap b, String path) {
        return switch (b.op()) {
            case ADD -> new String[] {"bitmap", "--add", "-g", Long.toString(b.granularity()), path, b.name()};
            case ADD_DISABLED -> new String[] {"bitmap", "--add", "--disable", "-g", Long.toString(b.granularity()),
                path, b.name()};
            case MERGE -> new String[] {"bitmap", "--merge", b.source(), path, b.name()};
            default -> new String[] {"bitmap", "--" + b.op().name().toLowerCase(java.util.Locale.ROOT), path,
                b.name()};
        };
    }

    private String live(QemuStep.Live live, Path image) throws IOException, InterruptedException {
        boolean dedicated = live.ending() != Ending.DETACH;
        QemuProcess q = dedicated ? QemuProcess.start(qemu) : shared.get();
        if (dedicated) {
            dedicatedStarts++;
        }
        String node = "w" + (nodes++);
        List<String> out = new ArrayList<>();
        try {
            try {
                q.execute("blockdev-add", QemuProcess.args().put("driver", "qcow2").put("node-name", node)
                        .set("file", QemuProcess.args().put("driver", "file").put("filename", image.toString())));
            } catch (QemuProcess.QmpError e) {
                return "blockdev-add refused: " + e.getMessage();
            }
            for (LiveOp op : live.ops()) {
                out.add(liveOp(q, node, op));
            }
            switch (live.ending()) {
                case DETACH -> q.execute("blockdev-del", QemuProcess.args().put("node-name", node));
                case QUIT -> q.quit();
                case KILL -> q.kill();
            }
            return String.join("; ", out) + "; " + live.ending();
        } finally {
            if (dedicated) {
                q.close();
            }
        }
    }

    private static String liveOp(QemuProcess q, String node, LiveOp op) {
        try {
            if (op instanceof LiveIo io) {
                String reply = q.hmp("qemu-io " + node + " \"" + io.io().command() + "\"");
                return reply.isBlank() ? "ok" : reply.strip();
            }
            LiveBitmap b = (LiveBitmap) op;
            ObjectNode a = QemuProcess.args().put("node", node);
            String command = "block-dirty-bitmap-" + switch (b.op()) {
                case ADD, ADD_DISABLED -> "add";
                default -> b.op().name().toLowerCase(java.util.Locale.ROOT);
            };
            if (b.op() == BitmapOp.MERGE) {
                a.put("target", b.name()).putArray("bitmaps").add(b.source());
            } else {
                a.put("name", b.name());
            }
            if (b.op() == BitmapOp.ADD || b.op() == BitmapOp.ADD_DISABLED) {
                a.put("granularity", b.granularity()).put("persistent", !b.transientBitmap())
                        .put("disabled", b.op() == BitmapOp.ADD_DISABLED);
            }
            q.execute(command, a);
            return "ok";
        } catch (QemuProcess.QmpError e) {
            return "refused: " + e.getMessage();
        }
    }

    private static String outcome(ToolRun.Result r) {
        return r.exit() == 0 ? "ok" : "exit " + r.exit() + ": " + r.output().strip();
    }
}
