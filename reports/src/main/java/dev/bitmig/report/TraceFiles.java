package dev.bitmig.report;

import dev.bitmig.check.ClassFinding;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.TraceJson;
import dev.bitmig.check.VerdictMatrix;
import dev.bitmig.model.Invariant;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** check --traces DIR: every class's shortest counterexample as a trace file, named policy-invariant-class.json. */
final class TraceFiles {
    private TraceFiles() {
    }

    static void write(Path dir, VerdictMatrix m, PrintWriter err) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new Main.BadInput(dir + ": not a directory");
        }
        int n = 0;
        try {
            Files.createDirectories(dir);
            for (ExplorationResult r : m.rows()) {
                for (Invariant inv : Invariant.values()) {
                    for (ClassFinding f : r.classesOf(inv)) {
                        String file = (r.policy() + "-" + inv.title() + "-" + f.violationClass().name())
                                .replaceAll("[^A-Za-z0-9_@+.-]+", "_") + ".json";
                        TraceJson.write(VerdictMatrix.trace(r, inv, f.counterexample()), dir.resolve(file));
                        n++;
                    }
                }
            }
        } catch (IOException e) {
            String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
            throw new Main.BadInput(dir + ": cannot write the traces (" + reason + ")");
        }
        err.println("bitmig: " + n + " trace files written to " + dir);
        err.flush();
    }
}
