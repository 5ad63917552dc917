package dev.bitmig.impl.qcow2.differential;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the QEMU under test lives. The system property {@value #PREFIX_PROPERTY} names a prefix whose
 * {@code usr/bin} holds {@code qemu-img}, {@code qemu-io} and {@code qemu-system-x86_64}; without it the tools are
 * looked up on the PATH. Results are labelled with the version {@code qemu-img --version} reports.
 */
record QemuInstall(Path qemuImg, Path qemuIo, Path qemuSystem, String version) {

    /** The same property as the live runner's (qemu-live's QemuInstall): one name for "which QEMU". */
    static final String PREFIX_PROPERTY = "live.qemu";
    static final List<String> TOOLS = List.of("qemu-img", "qemu-io", "qemu-system-x86_64");
    private static final Pattern VERSION = Pattern.compile("qemu-img version (\\S+)");

    /** The install named by the property, or found on the PATH; empty (with the reason) when a tool is missing. */
    static Lookup find() {
        String prefix = System.getProperty(PREFIX_PROPERTY, "").strip();
        Path[] found = new Path[TOOLS.size()];
        for (int i = 0; i < found.length; i++) {
            Optional<Path> p = prefix.isEmpty() ? onPath(TOOLS.get(i))
                    : executable(Path.of(prefix, "usr", "bin", TOOLS.get(i)));
            if (p.isEmpty()) {
                return new Lookup(Optional.empty(), TOOLS.get(i) + " is not "
                        + (prefix.isEmpty() ? "on the PATH" : "in " + Path.of(prefix, "usr", "bin"))
                        + " (set -D" + PREFIX_PROPERTY + "=PREFIX to test a QEMU installed elsewhere)");
            }
            found[i] = p.get();
        }
        ToolRun.Result r = ToolRun.run(List.of(found[0].toString(), "--version"), Duration.ofSeconds(30));
        Matcher m = VERSION.matcher(r.output());
        if (r.exit() != 0 || !m.find()) {
            return new Lookup(Optional.empty(), found[0] + " --version did not report a version: " + r.output());
        }
        return new Lookup(Optional.of(new QemuInstall(found[0], found[1], found[2], m.group(1))), "");
    }

    /** The result of {@link #find()}: an install, or why there is none. */
    record Lookup(Optional<QemuInstall> install, String missing) {
    }

    /** A label for results: "QEMU 7.2.22". */
    String label() {
        return "QEMU " + version;
    }

    private static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && executable(Path.of(d, tool)).isPresent()) {
                return Optional.of(Path.of(d, tool));
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> executable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
}
