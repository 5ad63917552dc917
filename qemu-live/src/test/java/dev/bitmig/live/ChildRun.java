package dev.bitmig.live;

import java.nio.file.Path;

/**
 * Main class of a child JVM used by {@link CleanupTest}: starts a source and a target QEMU in a run directory under
 * the given root, prints {@code READY <run dir> <pid> <pid>} and waits to be killed.
 *
 * <p>Arguments: tmp root, whether QEMU dies with its parent ({@code true}/{@code false}).
 */
public final class ChildRun {
    private ChildRun() {
    }

    public static void main(String[] args) throws Exception {
        QemuLauncher run = QemuLauncher.options().tmpRoot(Path.of(args[0]))
                .dieWithParent(Boolean.parseBoolean(args[1])).create();
        QemuProcess src = run.launch(Role.SOURCE, Incoming.NONE);
        QemuProcess dst = run.launch(Role.TARGET, Incoming.UNIX, true);
        src.addBitmap(QemuLauncher.DRIVE_NODE, "b0", 65536, true, false);
        System.out.println("READY " + run.runDir() + " " + src.pid() + " " + dst.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
