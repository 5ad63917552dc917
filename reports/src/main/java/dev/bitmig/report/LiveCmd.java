package dev.bitmig.report;

import dev.bitmig.live.LiveCampaign;
import dev.bitmig.live.QemuLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * bitmig live: the model against a real QEMU over QMP. Generated sequences (seeds S .. S+N-1) and every thread scenario
 * run on QEMU and on the model side by side; every disagreement and every invariant QEMU breaks is grouped, shrunk and
 * written to the findings page. Exit 0 when model and QEMU agree and QEMU keeps every invariant, 1 on a disagreement,
 * a QEMU violation or a harness error, 2 for bad input.
 */
@Command(name = "live", mixinStandardHelpOptions = true,
        description = "Run the model against a real QEMU (the one on PATH, or --qemu PREFIX) and write the findings page.")
final class LiveCmd implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--qemu", paramLabel = "PREFIX",
            description = "a QEMU installed under PREFIX (PREFIX/usr/bin/qemu-system-x86_64); default: the one on PATH")
    Path qemu;
    @Option(names = "--sequences", paramLabel = "N", description = "generated sequences to run (default ${DEFAULT-VALUE})")
    int sequences = 30;
    @Option(names = "--seed", paramLabel = "S", description = "seed of the first sequence (default ${DEFAULT-VALUE})")
    long seed = 1;
    @Option(names = "--out", paramLabel = "DIR", description = "where the findings go: findings-RELEASE.json/.md, and findings.md with every release run there side by side (default ${DEFAULT-VALUE})")
    Path out = Path.of("bitmig-live");
    @Option(names = "--shrink-seconds", paramLabel = "T",
            description = "wall time for shrinking every finding together (default ${DEFAULT-VALUE})")
    long shrinkSeconds = 120;
    @CommandLine.Mixin
    CapabilityOptions capabilities;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (sequences < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sequences must be at least 1, not " + sequences);
        }
        if (shrinkSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--shrink-seconds must not be negative");
        }
        if (qemu != null) {
            if (!Files.isExecutable(qemu.resolve("usr/bin/qemu-system-x86_64"))) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--qemu " + qemu + ": no usr/bin/qemu-system-x86_64 there");
            }
            System.setProperty("live.qemu", qemu.toAbsolutePath().toString());
        }
        if (!QemuLauncher.qemuAvailable()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "no qemu-system-x86_64 on PATH: install QEMU or give --qemu PREFIX");
        }
        boolean show = ProgressLine.stderrIsTerminal();
        LiveCampaign.Report r = new LiveCampaign().withBackupJobs(capabilities.backupJobs)
                .withOfflineTools(capabilities.offlineTools).withStoreFailures(capabilities.storeFailures)
                .run(seed, sequences, sequences > 100 ? 40 : 20,
                Duration.ofSeconds(shrinkSeconds), LiveCampaign.threadScenarios(), done -> {
                    if (show) {
                        err.print("\rbitmig live: " + done + "/" + sequences + " sequences");
                        err.flush();
                    }
                });
        if (show) {
            err.println();
        }
        Files.createDirectories(out);
        LiveCampaign.write(r, out);
        long violations = r.findings().stream().filter(f -> f.kind().equals("violation")).count();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(java.util.Locale.ROOT, "QEMU %s: %d sequences, %d agree, %d disagree, %d not mappable, %d harness errors "
                        + "(agreement %.1f %% of the compared), %d findings (%d QEMU violations); median %.1f ms per step%n",
                r.qemuVersion(), r.sequences(), r.agree(), r.disagree(), r.unmappable(), r.errors(),
                100 * r.agreementRate(), r.findings().size(), violations, r.medianStepMillis());
        o.println("findings: " + out.resolve("findings.md"));
        o.flush();
        return r.disagree() == 0 && violations == 0 && r.errors() == 0 ? 0 : 1;
    }
}
