package dev.bitmig.impl.qcow2.differential;

import java.io.IOException;

/**
 * The one QEMU a direction shares between all its histories. Should it die (a crash is itself a finding, reported
 * by the history that caused it), the next history gets a fresh one.
 */
final class SharedQemu implements AutoCloseable {
    private final QemuInstall install;
    private QemuProcess current;
    private int starts;

    SharedQemu(QemuInstall install) {
        this.install = install;
    }

    QemuProcess get() throws IOException, InterruptedException {
        if (current == null || !current.alive()) {
            if (current != null) {
                current.close();
            }
            current = QemuProcess.start(install);
            starts++;
        }
        return current;
    }

    /** How many times the shared QEMU was started: 1 unless one died. */
    int starts() {
        return starts;
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
        }
    }
}
