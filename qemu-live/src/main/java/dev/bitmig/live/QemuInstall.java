package dev.bitmig.live;

import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Release;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Which QEMU the harness runs: the system's, found on PATH, or the one unpacked under {@code -Dlive.qemu=PREFIX}
 * (for example by {@code qemu-live/bin/install-qemu-10}), whose binaries are in PREFIX/usr/bin and whose block modules
 * QEMU finds through QEMU_MODULE_DIR. Every result names the version QEMU itself reports (query-version).
 */
public final class QemuInstall {
    private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("version (\\d+\\.\\d+[.\\d]*)");
    private static String version;

    private QemuInstall() {
    }

    /** The version qemu-system-x86_64 --version prints ("7.2.22", "10.0.2"), read once. */
    public static synchronized String version() {
        if (version == null) {
            Tools.Result r = Tools.run(java.util.List.of("qemu-system-x86_64", "--version"), java.time.Duration.ofSeconds(30));
            java.util.regex.Matcher m = VERSION.matcher(r.output());
            if (r.exitCode() != 0 || !m.find()) {
                throw new IllegalStateException("cannot tell the QEMU version from qemu-system-x86_64 --version: "
                        + r.output().strip());
            }
            version = m.group(1);
        }
        return version;
    }

    /** Whose block-activation rules the QEMU under test follows. */
    public static Release release() {
        return Release.ofVersion(version());
    }

    /** The model policy the QEMU under test is compared with: QEMU_7_2 or QEMU_10_0. */
    public static Policy policy() {
        return Policies.qemu(release());
    }

    /** The prefix given with -Dlive.qemu, if any. */
    static Optional<Path> prefix() {
        String p = System.getProperty("live.qemu");
        return p == null || p.isBlank() ? Optional.empty() : Optional.of(Path.of(p));
    }

    /** The program to run for one of QEMU's tools (qemu-system-x86_64, qemu-img, qemu-io). */
    static String binary(String program) {
        if (!program.startsWith("qemu")) {
            return program;
        }
        return prefix().map(p -> p.resolve("usr/bin").resolve(program).toString()).orElse(program);
    }

    /** What a QEMU process from the prefix needs in its environment. */
    static void environment(Map<String, String> env) {
        prefix().ifPresent(p -> env.put("QEMU_MODULE_DIR", p.resolve("usr/lib/x86_64-linux-gnu/qemu").toString()));
    }

    /** True when the QEMU to run exists: in the prefix, or on PATH. */
    static boolean available() {
        return prefix().map(p -> Files.isExecutable(p.resolve("usr/bin/qemu-system-x86_64")))
                .orElseGet(() -> Tools.onPath("qemu-system-x86_64").isPresent());
    }
}
