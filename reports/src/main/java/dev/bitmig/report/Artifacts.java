package dev.bitmig.report;

import dev.bitmig.check.Trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The runnable files beside a counterexample's page: the Python reproducer for real QEMU and, when QEMU 7.2 can replay
 * the sequence, a test for QEMU's qemu-iotests harness with its reference output.
 */
final class Artifacts {
    private Artifacts() {
    }

    /** The reproducer's file name for a page. */
    static String reproducer(String page) {
        return page + "-reproduce.py";
    }

    /** The iotest's name (its file name in tests/qemu-iotests/tests) for a page. */
    static String iotestName(String page) {
        return "bitmig-" + page.replaceFirst("^ce-", "");
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
        Iotest.Result iotest = Iotest.of(t, iotestName(page));
        if (iotest.generated()) {
            Path test = out.resolve(iotestName(page));
            Files.writeString(test, iotest.test());
            Files.writeString(out.resolve(iotestName(page) + ".out"), iotest.reference());
            try {
                Files.setPosixFilePermissions(test, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
        }
    }

    /** The links of a counterexample page to its runnable files. */
    static Doc.Table links(Trace t, String page) {
        List<List<Doc.Cell>> rows = new ArrayList<>();
        rows.add(List.of(new Doc.Cell(reproducer(page), reproducer(page), null, Map.of()),
                Doc.Cell.of("python3 " + reproducer(page) + " [--qemu PREFIX]: replays the counterexample on "
                        + "real QEMU; exit 1 when QEMU shows the violation, 0 when not, 2 when it cannot run")));
        if (Iotest.of(t, iotestName(page)).generated()) {
            String name = iotestName(page);
            rows.add(List.of(new Doc.Cell(name, name, null, Map.of()),
                    Doc.Cell.of("copy it and " + name + ".out into QEMU's tests/qemu-iotests/tests, then ./check -qcow2 "
                            + name + " (see iotests/README.md); it fails while QEMU has the bug")));
        }
        return new Doc.Table("artifacts", List.of("run it", "what it does"), rows, null);
    }
}
