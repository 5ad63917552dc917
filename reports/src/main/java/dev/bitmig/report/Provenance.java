package dev.bitmig.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where a report comes from: the bitmig version, the commit of the checkout it ran in, the date, and the QEMU on
 * PATH (and under the prefix -Dlive.qemu names, if any). What cannot be found is said, not guessed.
 */
record Provenance(String version, String commit, String date, List<String> qemus) {

    static final String VERSION = "bitmig 0.1.0";

    static Provenance now(Optional<Path> root) {
        String commit = root.flatMap(r -> run(r, "git", "rev-parse", "--short=12", "HEAD"))
                .map(c -> c + root.flatMap(r -> run(r, "git", "status", "--porcelain")).map(s -> s.isEmpty() ? "" : " (with uncommitted changes)").orElse(""))
                .orElse("unknown (not run from a git checkout)");
        List<String> qemus = new java.util.ArrayList<>();
        run(Path.of("."), "qemu-img", "--version").map(v -> v.lines().findFirst().orElse(v) + " (on PATH)").ifPresent(qemus::add);
        String prefix = System.getProperty("live.qemu");
        if (prefix != null && !prefix.isBlank()) {
            run(Path.of("."), Path.of(prefix, "usr/bin/qemu-img").toString(), "--version")
                    .map(v -> v.lines().findFirst().orElse(v) + " (" + prefix + ")").ifPresent(qemus::add);
        }
        if (qemus.isEmpty()) {
            qemus.add("no QEMU found on PATH");
        }
        return new Provenance(VERSION, commit,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), List.copyOf(qemus));
    }

    String sentence() {
        return VERSION + ", commit " + commit + ", " + date + "; QEMU: " + String.join("; ", qemus) + ".";
    }

    private static Optional<String> run(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Optional.empty();
            }
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
