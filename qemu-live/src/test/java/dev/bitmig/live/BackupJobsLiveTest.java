package dev.bitmig.live;

import dev.bitmig.model.Action;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
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
        CapabilityCampaign c = CapabilityCampaign.run("backup", "backup-jobs", new LiveCampaign().withBackupJobs(true));
        List<List<Action>> sequences = c.sequences(new SequenceGenerator(LiveCampaign.GENERATED, true));
        // Agreement of the sequences that run a backup job, by the first mismatch's signature, on a second pass.
        LiveChecker checker = new LiveChecker(new StepTimings());
        Map<String, Integer> tally = new java.util.TreeMap<>();
        for (List<Action> seq : sequences) {
            if (seq.stream().noneMatch(a -> a instanceof Action.BackupStart)) {
                continue;
            }
            LiveChecker.Run run = checker.run(seq, LiveCampaign.GENERATED, true);
            String key = run.status() + (run.signature() == null ? "" : " (" + run.signature() + ")");
            tally.merge(key, 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder("sequences with a backup job, by outcome:\n");
        tally.forEach((k, v) -> b.append(v).append("  ").append(k).append('\n'));
        Files.writeString(c.out().resolve("backup-sequences.txt"), b.toString());
        // How many of the sequences run a job, and end one, on QEMU (counted on the sequences themselves).
        int started = 0, ended = 0;
        for (List<Action> seq : sequences) {
            List<String> kinds = seq.stream().map(Action::kind).toList();
            started += kinds.contains("BackupStart") ? 1 : 0;
            ended += kinds.contains("BackupCancel") || java.util.Collections.frequency(kinds, "BackupCopy") > 1 ? 1 : 0;
        }
        c.coverage(started + " start a backup job, " + ended + " cancel one or copy past the first cluster");
        assertThat(started).as("sequences that start a backup job").isGreaterThanOrEqualTo(c.n() / 4);
        c.assertRan();
    }
}
