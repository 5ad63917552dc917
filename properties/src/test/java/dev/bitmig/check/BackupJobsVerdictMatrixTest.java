package dev.bitmig.check;

import dev.bitmig.model.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;

/**
 * The verdict matrix with backup jobs that hold a bitmap in the bounds (--backup-jobs), every violation class of every
 * cell, in a golden file of its own, so that the default matrix (verdicts-default.json) stays comparable. Checked under
 * {@code -Pdeep} only (as {@link DeepVerdictMatrixTest}), to keep CI within its budget; regenerate with
 * {@code -Dbitmig.updateGolden=true} like the default one.
 */
class BackupJobsVerdictMatrixTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/verdicts-backup-jobs.json");

    /** The default bounds with backup jobs. */
    static final Bounds BOUNDS = Bounds.DEFAULT.withCapabilities(Capabilities.BACKUP_JOBS);

    @Test
    @EnabledIfSystemProperty(named = "bitmig.deep", matches = "true")
    void theVerdictMatrixWithBackupJobsMatchesItsCommittedGoldenFile() throws Exception {
        GoldenMatrix.check(BOUNDS, GOLDEN);
    }
}
