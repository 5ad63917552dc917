package dev.bitmig.live;

import dev.bitmig.model.Action;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.bitmig.model.Action.BitmapMode.ALWAYS;
import static dev.bitmig.model.Action.BitmapMode.ON_SUCCESS;
import static dev.bitmig.model.Action.Sync.BITMAP;
import static dev.bitmig.model.Action.Sync.INCREMENTAL;
import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Backup jobs that hold a bitmap, against real QEMU: a few stories step by step, then generated sequences with backup
 * jobs (quick mode 20, {@code -Dlive.backup.sequences=N} for more). Writes target/backup-jobs/findings.json and
 * findings.md; disagreements are findings for the report, the stories must agree.
 */
@Tag("qemu")
class BackupJobsLiveTest {
    @BeforeAll
    static void requireQemu() {
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
    }

    private static final List<Action> DIRTY = List.of(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
            new Action.GuestWrite(SOURCE, 0, 2));

    private static LiveChecker.Run run(List<Action> tail) {
        List<Action> all = new java.util.ArrayList<>(DIRTY);
        all.addAll(tail);
        return new LiveChecker(new StepTimings()).run(all, LiveCampaign.GENERATED, false);
    }

    private static void agrees(LiveChecker.Run r) {
        assertThat(r.status()).as("%s", r.steps()).isEqualTo(LiveChecker.Status.AGREE);
    }

    @Test
    void aCompletedIncrementalJobAbdicatesOnQemuAsInTheModel() {
        agrees(run(List.of(new Action.BackupStart(SOURCE, "a", INCREMENTAL, ON_SUCCESS), new Action.BackupCopy(SOURCE),
                new Action.GuestWrite(SOURCE, 5, 1), new Action.BackupCopy(SOURCE), new Action.BackupCopy(SOURCE))));
    }

    @Test
    void aCancelledAlwaysJobMergesBackWhatItDidNotCopyOnQemuAsInTheModel() {
        agrees(run(List.of(new Action.BackupStart(SOURCE, "a", BITMAP, ALWAYS), new Action.BackupCopy(SOURCE),
                new Action.GuestWrite(SOURCE, 4, 1), new Action.BackupCancel(SOURCE))));
    }

    @Test
    void aBusyBitmapRefusesCommandsAndQuitCancelsTheJobOnQemuAsInTheModel() {
        agrees(run(List.of(new Action.BackupStart(SOURCE, "a", INCREMENTAL, ON_SUCCESS), new Action.BackupCopy(SOURCE),
                new Action.BitmapClear(SOURCE, "a"), new Action.BackupStart(SOURCE, "a", BITMAP, ALWAYS),
                new Action.GuestWrite(SOURCE, 1, 1), new Action.Quit(SOURCE), new Action.Launch(SOURCE, false))));
    }

    @Test
    void generatedSequencesWithBackupJobs() throws Exception {
        int n = Integer.getInteger("live.backup.sequences", 20);
        LiveCampaign c = new LiveCampaign().withBackupJobs(true);
        java.time.Duration budget = java.time.Duration.ofSeconds(Long.getLong("live.shrinkSeconds", n > 100 ? 600 : 60));
        LiveCampaign.Report r = c.run(Long.getLong("live.backup.seed", 1L), n, n > 100 ? 40 : 20, budget, Map.of(),
                done -> { });
        Path out = Files.createDirectories(Path.of("target", "backup-jobs"));
        LiveCampaign.write(r, out);
        // Agreement of the sequences that run a backup job, by the first mismatch's signature, on a second pass.
        LiveChecker checker = new LiveChecker(new StepTimings());
        Map<String, Integer> tally = new java.util.TreeMap<>();
        SequenceGenerator again = new SequenceGenerator(LiveCampaign.GENERATED, true);
        for (long seed = Long.getLong("live.backup.seed", 1L), end = seed + n; seed < end; seed++) {
            List<Action> seq = again.generate(seed);
            if (seq.stream().noneMatch(a -> a instanceof Action.BackupStart)) {
                continue;
            }
            LiveChecker.Run run = checker.run(seq, LiveCampaign.GENERATED, true);
            String key = run.status() + (run.signature() == null ? "" : " (" + run.signature() + ")");
            tally.merge(key, 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder("sequences with a backup job, by outcome:\n");
        tally.forEach((k, v) -> b.append(v).append("  ").append(k).append('\n'));
        Files.writeString(out.resolve("backup-sequences.txt"), b.toString());
        // How many of the sequences run a job, and end one, on QEMU (counted on the sequences themselves).
        SequenceGenerator gen = new SequenceGenerator(LiveCampaign.GENERATED, true);
        long seed0 = Long.getLong("live.backup.seed", 1L);
        int started = 0, ended = 0;
        for (long seed = seed0; seed < seed0 + n; seed++) {
            List<String> kinds = gen.generate(seed).stream().map(Action::kind).toList();
            started += kinds.contains("BackupStart") ? 1 : 0;
            ended += kinds.contains("BackupCancel") || java.util.Collections.frequency(kinds, "BackupCopy") > 1 ? 1 : 0;
        }
        Files.writeString(out.resolve("coverage.txt"), n + " sequences: " + started + " start a backup job, " + ended
                + " cancel one or copy past the first cluster\n");
        assertThat(started).as("sequences that start a backup job").isGreaterThanOrEqualTo(n / 4);
        assertThat(r.sequences()).isEqualTo(n);
        assertThat(r.agree() + r.disagree()).as("sequences compared").isPositive();
        assertThat(r.errors()).as("harness errors: " + r.errorNotes()).isLessThanOrEqualTo(Math.max(1, n / 20));
    }
}
