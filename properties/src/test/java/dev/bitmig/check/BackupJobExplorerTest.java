package dev.bitmig.check;

import dev.bitmig.model.Capabilities;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The explorer with backup jobs that hold a bitmap in its bounds (blockdev-backup sync=incremental|bitmap). */
class BackupJobExplorerTest {
    private static final Bounds BACKUPS = new Bounds(2, List.of(1), List.of("a"), 5, 1, false, false, 1)
            .withCapabilities(Capabilities.BACKUP_JOBS);

    @Test
    void everyExploredBackupJobTransitionOfEveryPolicyRefinesTheModel() {
        EveryPolicyRefines.within(BACKUPS);
    }

    @Test
    void theDefaultBoundsTryNoBackupJob() {
        assertThat(Bounds.DEFAULT.actions().map(a -> a.kind())).doesNotContain("BackupStart", "BackupCopy",
                "BackupFail", "BackupCancel");
        assertThat(BACKUPS.actions().map(a -> a.kind())).contains("BackupStart", "BackupCopy", "BackupFail",
                "BackupCancel");
    }

    /** A backup job alone (without migration) keeps every bitmap's truth: abdicate and reclaim lose no write. */
    @Test
    void withoutMigrationABackupJobNeverMakesABitmapUnderReport() {
        Bounds jobsOnly = BACKUPS.withDepth(6).withWithout(List.of("MigrateStart", "ForeignWrite", "Launch", "Quit",
                "Crash", "MigrateComplete", "MigrateCancel", "MigrateFail"));
        for (Policy p : List.of(Policies.QEMU_10_0, Policies.CANARY_MERGE)) {
            ExplorationResult r = Runs.of(p, jobsOnly, 2, true);
            assertThat(r.verdicts().get(Invariant.NO_UNDER_REPORT).get()).as(p.name()).isInstanceOf(Verdict.Holds.class);
        }
    }
}
