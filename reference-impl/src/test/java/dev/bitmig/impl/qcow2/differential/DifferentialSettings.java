package dev.bitmig.impl.qcow2.differential;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * The settings of a differential run, from system properties: {@code differential.histories} (per direction; 200
 * by default, 10,000 with the Maven profile {@code differential}), {@code bitmig.differential.seed} (the first
 * history's seed; history i has seed + i; random when unset, and printed), {@code bitmig.differential.replay} (a
 * saved history file to replay instead), and {@link QemuInstall#PREFIX_PROPERTY}.
 */
record DifferentialSettings(int histories, long seed, Optional<Path> replay, Path failures) {

    static DifferentialSettings fromSystemProperties() {
        int n = Integer.parseInt(System.getProperty("differential.histories", "200").strip());
        String s = System.getProperty("bitmig.differential.seed", "").strip();
        long seed = s.isEmpty() ? System.nanoTime() & 0xffffffffffL : Long.parseLong(s);
        String r = System.getProperty("bitmig.differential.replay", "").strip();
        return new DifferentialSettings(n, seed, r.isEmpty() ? Optional.empty() : Optional.of(Path.of(r)),
                Path.of("target", "differential-failures"));
    }

    /** The QEMU under test, or the test is skipped with the reason. */
    static QemuInstall requireQemu() {
        QemuInstall.Lookup found = QemuInstall.find();
        if (found.install().isEmpty()) {
            System.out.println("QEMU tools missing, differential test skipped: " + found.missing());
        }
        assumeTrue(found.install().isPresent(), () -> "QEMU tools missing, differential test skipped: "
                + found.missing());
        return found.install().get();
    }

    /** Whether non-ASCII bitmap names survive the trip onto a tool's command line in this JVM. */
    static boolean unicodeArguments() {
        String enc = System.getProperty("sun.jnu.encoding", "");
        return Charset.isSupported(enc) && Charset.forName(enc).equals(StandardCharsets.UTF_8);
    }

    /** The histories to run: the replayed file, or {@link #histories()} generated from consecutive seeds. */
    <H> List<H> histories(LongFunction<H> generate, FailureArchive<H> archive) throws java.io.IOException {
        List<H> out = new ArrayList<>();
        if (replay.isPresent()) {
            out.add(archive.read(replay.get()));
            return out;
        }
        for (int i = 0; i < histories; i++) {
            out.add(generate.apply(seed + i));
        }
        return out;
    }

    String describe(QemuInstall qemu, String direction, Campaign.Result r) {
        return String.format(java.util.Locale.ROOT, "%s, %s: %d histories (first seed %d%s), %d images, %d bitmaps"
                        + " compared (%d inconsistent, %d with dirty bits), %d steps refused by the writer,"
                        + " %d explained disagreements, %d unexplained; %.1f s, %.1f histories/s",
                qemu.label(), direction, r.histories(), seed, replay.map(p -> ", replaying " + p).orElse(""),
                r.images(), r.bitmaps(), r.inconsistent(), r.nonEmpty(), r.refusedSteps(), r.explained(),
                r.unexplained().size(), r.seconds(), r.historiesPerSecond());
    }
}
