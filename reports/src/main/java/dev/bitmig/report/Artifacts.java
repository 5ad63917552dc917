package dev.bitmig.report;

import dev.bitmig.check.Trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/** The runnable files beside a counterexample's page: the Python reproducer for real QEMU. */
final class Artifacts {
    private Artifacts() {
    }

    /** The reproducer's file name for a page. */
    static String reproducer(String page) {
        return page + "-reproduce.py";
    }

    /** Writes the page's runnable files into {@code out}. */
    static void write(Trace t, Path out, String page) throws IOException {
        Path py = out.resolve(reproducer(page));
        Files.writeString(py, Reproducer.of(t));
        try {
            Files.setPosixFilePermissions(py, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: run it with python3
        }
    }

    /** The links of a counterexample page to its runnable files. */
    static Doc.Table links(String page) {
        return new Doc.Table("artifacts", List.of("run it", "what it does"), List.of(
                List.of(new Doc.Cell(reproducer(page), reproducer(page), null, Map.of()),
                        Doc.Cell.of("python3 " + reproducer(page) + " [--qemu PREFIX]: replays the counterexample on "
                                + "real QEMU; exit 1 when QEMU shows the violation, 0 when not, 2 when it cannot run"))),
                null);
    }
}
