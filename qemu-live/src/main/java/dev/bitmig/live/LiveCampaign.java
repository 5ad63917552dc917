package dev.bitmig.live;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.scenario.Scenario;
import dev.bitmig.model.scenario.ThreadScenarios;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A whole check against real QEMU: N generated sequences (seeds 1..N), every disagreement and every invariant QEMU
 * violates grouped and shrunk, every counterexample replayed, and the findings written as JSON and Markdown.
 */
public final class LiveCampaign {
    /** Generated sequences run on an 8-cluster (512 KiB) disk; the thread scenarios on their own 4-cluster disk. */
    public static final Geometry GENERATED = new Geometry(8);
    public static final Geometry SCENARIOS = new Geometry(ThreadScenarios.CLUSTERS);

    /** A model–QEMU disagreement or an invariant real QEMU violates, with its minimal sequence. */
    public record Finding(String id, String kind, String signature, int occurrences, long firstSeed,
                          List<String> minimalSequence, int step, String action, String expected, String observed,
                          List<String> qmpScript, String qemuVersion, String verdict, String explanation) {
    }

    /** The summary written next to the findings. */
    public record Report(String qemuVersion, int sequences, int agree, int disagree, int unmappable, int errors,
                         double agreementRate, double medianStepMillis, long steps, double wallSeconds,
                         List<String> unmappableNotes, List<String> errorNotes, List<Finding> findings,
                         List<LiveChecker.Replay> replays) {
    }

    private final StepTimings timings = new StepTimings();
    private final LiveChecker checker = new LiveChecker(timings);
    private boolean backupJobs;
    private boolean offlineTools;
    private boolean storeFailures;

    /** Generated sequences also run backup jobs that hold a bitmap (SequenceGenerator, BackupJobSteps). */
    public LiveCampaign withBackupJobs(boolean on) {
        this.backupJobs = on;
        return this;
    }

    /** Generated sequences also edit the image offline with qemu-img (SequenceGenerator, OfflineToolSteps). */
    public LiveCampaign withOfflineTools(boolean on) {
        this.offlineTools = on;
        return this;
    }

    /**
     * Every QEMU opens the image through a blkdebug layer, and generated sequences also fill and free the volume
     * (SequenceGenerator, LiveVolume).
     */
    public LiveCampaign withStoreFailures(boolean on) {
        this.storeFailures = on;
        checker.withStoreFailures(on);
        return this;
    }

    public LiveChecker checker() {
        return checker;
    }

    /**
     * @param sequences      how many generated sequences (seeds 1..sequences)
     * @param shrinkReplays  replays allowed per shrink
     * @param counterexamples named counterexamples to replay (the thread scenarios by default)
     */
    public Report run(int sequences, int shrinkReplays, Map<String, List<Action>> counterexamples) {
        return run(sequences, shrinkReplays, java.time.Duration.ofDays(1), counterexamples);
    }

    /** As above, with a wall-time budget for all shrinking together. */
    public Report run(int sequences, int shrinkReplays, java.time.Duration shrinkBudget,
                      Map<String, List<Action>> counterexamples) {
        return run(1, sequences, shrinkReplays, shrinkBudget, counterexamples, done -> { });
    }

    /**
     * As above, with the generated sequences' seeds {@code firstSeed .. firstSeed+sequences-1}, and {@code progress}
     * told how many sequences have run after each one.
     */
    public Report run(long firstSeed, int sequences, int shrinkReplays, java.time.Duration shrinkBudget,
                      Map<String, List<Action>> counterexamples, java.util.function.IntConsumer progress) {
        long start = System.nanoTime();
        SequenceGenerator gen = new SequenceGenerator(GENERATED, backupJobs, offlineTools, storeFailures);
        List<LiveChecker.Run> runs = new ArrayList<>();
        Map<String, long[]> seeds = new LinkedHashMap<>();
        int agree = 0, disagree = 0, unmappable = 0, errors = 0;
        List<String> unmappableNotes = new ArrayList<>();
        List<String> errorNotes = new ArrayList<>();
        Map<String, LiveChecker.Run> firstBySignature = new LinkedHashMap<>();
        Map<String, Integer> countBySignature = new LinkedHashMap<>();
        Map<String, LiveChecker.Run> firstByViolation = new LinkedHashMap<>();
        Map<String, Integer> countByViolation = new LinkedHashMap<>();
        // QEMU aborted on an assertion (QEMU 10.0 on a write to an inactive node): a QEMU finding even where the model
        // predicts it, kept with the run and the step.
        Map<String, LiveChecker.Run> firstByAbort = new LinkedHashMap<>();
        Map<String, Integer> stepByAbort = new LinkedHashMap<>();
        Map<String, Integer> countByAbort = new LinkedHashMap<>();
        Map<Object, Long> seedOf = new java.util.IdentityHashMap<>();
        for (long seed = firstSeed; seed < firstSeed + sequences; seed++) {
            LiveChecker.Run r = checker.run(gen.generate(seed), GENERATED, true);
            seedOf.put(r, seed);
            switch (r.status()) {
                case AGREE -> agree++;
                case DISAGREE -> disagree++;
                case UNMAPPABLE -> {
                    unmappable++;
                    unmappableNotes.add("seed " + seed + ": " + r.note());
                }
                case ERROR -> {
                    errors++;
                    errorNotes.add("seed " + seed + ": " + r.note());
                }
            }
            String sig = r.signature();
            if (sig != null && r.status() == LiveChecker.Status.DISAGREE) {
                firstBySignature.putIfAbsent(sig, r);
                countBySignature.merge(sig, 1, Integer::sum);
            }
            for (String title : r.qemuViolationTitles()) {
                String key = title + (r.modelViolationTitles().contains(title) ? " (model predicts it)" : " (model does not predict it)");
                firstByViolation.putIfAbsent(key, r);
                countByViolation.merge(key, 1, Integer::sum);
            }
            for (LiveChecker.StepRecord st : r.steps()) {
                java.util.regex.Matcher abort = LiveMapper.ASSERTION.matcher(st.qemu());
                if (abort.find()) {
                    firstByAbort.putIfAbsent(abort.group(1), r);
                    stepByAbort.putIfAbsent(abort.group(1), st.index());
                    countByAbort.merge(abort.group(1), 1, Integer::sum);
                }
            }
            runs.add(r);
            progress.accept((int) (seed - firstSeed + 1));
        }
        String version = checker.qemuVersion();
        checker.shrinkBudget(shrinkBudget);
        List<Finding> findings = new ArrayList<>();
        int n = 1;
        for (var e : firstBySignature.entrySet()) {
            LiveChecker.Run r = e.getValue();
            List<Action> min = checker.shrinkDisagreement(r, GENERATED, shrinkReplays);
            LiveChecker.Run m = checker.run(min, GENERATED, true);
            if (m.firstMismatch() == null) {
                m = r; // flaky shrink result: keep the original
                min = r.actions();
            }
            LiveChecker.StepRecord s = m.firstMismatch();
            Verdicts.Verdict v = Verdicts.of(e.getKey(), s.mismatches().toString());
            findings.add(new Finding("D" + n++, "disagreement", e.getKey(), countBySignature.get(e.getKey()),
                    seedOf.getOrDefault(r, -1L), min.stream().map(Object::toString).toList(), s.index(), s.action(),
                    s.mismatches().stream().map(Comparison.Mismatch::expected).toList() + " / model outcome " + s.model(),
                    s.mismatches().stream().map(Comparison.Mismatch::observed).toList() + " / QEMU outcome " + s.qemu(),
                    m.script(), version, v.verdict(), v.explanation()));
        }
        n = 1;
        for (var e : firstByViolation.entrySet()) {
            LiveChecker.Run r = e.getValue();
            String title = e.getKey().substring(0, e.getKey().indexOf(' '));
            List<Action> min = checker.shrinkViolation(r, title, GENERATED, shrinkReplays);
            LiveChecker.Run m = checker.run(min, GENERATED, false);
            LiveChecker.StepRecord s = m.steps().stream().filter(x -> x.qemuViolations().stream()
                    .anyMatch(v -> v.startsWith(title))).findFirst().orElse(null);
            if (s == null) {
                m = checker.run(r.actions(), GENERATED, false);
                min = r.actions();
                s = m.steps().stream().filter(x -> x.qemuViolations().stream().anyMatch(v -> v.startsWith(title)))
                        .findFirst().orElse(m.steps().get(m.steps().size() - 1));
            }
            Verdicts.Verdict v = Verdicts.of("violation " + e.getKey());
            findings.add(new Finding("V" + n++, "violation", e.getKey(), countByViolation.get(e.getKey()),
                    seedOf.getOrDefault(r, -1L), min.stream().map(Object::toString).toList(), s.index(), s.action(),
                    "model: " + (s.modelViolations().isEmpty() ? "no violation" : String.join("; ", s.modelViolations())),
                    "QEMU: " + String.join("; ", s.qemuViolations()), m.script(), version, v.verdict(), v.explanation()));
        }
        n = 1;
        for (var e : firstByAbort.entrySet()) {
            LiveChecker.Run r = e.getValue();
            int at = stepByAbort.get(e.getKey());
            LiveChecker.StepRecord s = r.steps().get(at - 1);
            Verdicts.Verdict v = Verdicts.of("abort " + e.getKey());
            findings.add(new Finding("A" + n++, "abort", e.getKey(), countByAbort.get(e.getKey()),
                    seedOf.getOrDefault(r, -1L), r.actions().subList(0, at).stream().map(Object::toString).toList(),
                    at, s.action(), "model outcome " + s.model(), "QEMU outcome " + s.qemu(), r.script(), version,
                    v.verdict(), v.explanation()));
        }
        List<LiveChecker.Replay> replays = new ArrayList<>();
        for (var e : counterexamples.entrySet()) {
            replays.add(checker.replay(e.getKey(), e.getValue(), SCENARIOS));
        }
        List<Long> ns = checker.stepNanos();
        double median = StepTimings.percentileMillis(ns, 50);
        int compared = agree + disagree;
        return new Report(version, sequences, agree, disagree, unmappable, errors,
                compared == 0 ? Double.NaN : (double) agree / compared, median, ns.size(),
                (System.nanoTime() - start) / 1e9, unmappableNotes, errorNotes, findings, replays);
    }

    /** The thread scenarios, by id, as counterexamples. */
    public static Map<String, List<Action>> threadScenarios() {
        Map<String, List<Action>> m = new LinkedHashMap<>();
        for (Scenario s : ThreadScenarios.ALL) {
            m.put(s.id(), s.steps().toJavaList());
        }
        return m;
    }

    /**
     * Writes {@code findings-RELEASE.json} and {@code findings-RELEASE.md} (RELEASE: 7.2 or 10.0) into {@code dir},
     * then {@code findings.md}: every release found there, side by side ({@link FindingsSideBySide}).
     */
    public static void write(Report r, Path dir) throws IOException {
        Files.createDirectories(dir);
        String release = FindingsSideBySide.release(r.qemuVersion());
        QmpClient.json().copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("findings-" + release + ".json").toFile(), r);
        Files.writeString(dir.resolve("findings-" + release + ".md"), markdown(r), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("findings.md"), FindingsSideBySide.of(dir), StandardCharsets.UTF_8);
    }

    static String markdown(Report r) {
        StringBuilder b = new StringBuilder();
        b.append("# bitmig on real QEMU: findings\n\n");
        b.append(String.format(Locale.ROOT, "QEMU %s. %d generated sequences: %d agree, %d disagree, %d not mappable, "
                        + "%d harness errors. **Agreement rate %.1f%%** (agree / (agree + disagree)). "
                        + "Median wall time per QEMU step (action plus observation): **%.1f ms** over %d steps. "
                        + "Wall time %.0f s.%n%n",
                r.qemuVersion(), r.sequences(), r.agree(), r.disagree(), r.unmappable(), r.errors(),
                100 * r.agreementRate(), r.medianStepMillis(), r.steps(), r.wallSeconds()));
        b.append("## Findings\n\n");
        if (r.findings().isEmpty()) {
            b.append("None.\n\n");
        }
        for (Finding f : r.findings()) {
            b.append("### ").append(f.id()).append(" (").append(f.kind()).append(") ").append(f.signature())
                    .append("\n\n");
            b.append("- **Verdict:** ").append(f.verdict()).append("\n");
            b.append("- **Why:** ").append(f.explanation()).append("\n");
            b.append("- Seen in ").append(f.occurrences()).append(" sequence(s); first seed ").append(f.firstSeed())
                    .append("; QEMU ").append(f.qemuVersion()).append("\n");
            b.append("- At step ").append(f.step()).append(" `").append(f.action()).append("`\n");
            b.append("- Expected (model): ").append(f.expected()).append("\n");
            b.append("- Observed (QEMU): ").append(f.observed()).append("\n\n");
            b.append("Minimal sequence:\n\n");
            for (int i = 0; i < f.minimalSequence().size(); i++) {
                b.append(i + 1).append(". `").append(f.minimalSequence().get(i)).append("`\n");
            }
            b.append('\n');
        }
        b.append("## Counterexample replays\n\n");
        for (LiveChecker.Replay p : r.replays()) {
            b.append("### ").append(p.name()).append(": ").append(p.label()).append("\n\n");
            b.append("Model predicts: ").append(p.modelViolations().isEmpty() ? "no violation" : p.modelViolations())
                    .append("; QEMU's state violates: ").append(p.qemuViolations().isEmpty() ? "nothing" : p.qemuViolations())
                    .append("\n\n");
            if (!p.disagreements().isEmpty()) {
                b.append("Disagreements:\n\n");
                p.disagreements().forEach(d -> b.append("- ").append(d).append('\n'));
                b.append('\n');
            }
            b.append("```\n").append(p.observedState()).append("```\n\n");
        }
        if (!r.unmappableNotes().isEmpty() || !r.errorNotes().isEmpty()) {
            b.append("## Sequences not compared\n\n");
            r.unmappableNotes().forEach(x -> b.append("- ").append(x).append('\n'));
            r.errorNotes().forEach(x -> b.append("- ").append(x).append('\n'));
        }
        return b.toString();
    }
}
