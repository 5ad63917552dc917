package dev.bitmig.check;

import dev.bitmig.model.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;

/**
 * The verdict matrix with qemu-img's offline edits in the bounds (--offline-tools), every violation class of every
 * cell, in a golden file of its own, so that the default matrix (verdicts-default.json) stays comparable. Checked under
 * {@code -Pdeep} only (as {@link BackupJobsVerdictMatrixTest}); regenerate with {@code -Dbitmig.updateGolden=true}.
 */
class OfflineToolsVerdictMatrixTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/verdicts-offline-tools.json");

    /** The default bounds with qemu-img's offline edits. */
    static final Bounds BOUNDS = Bounds.DEFAULT.withCapabilities(Capabilities.OFFLINE_TOOLS);

    @Test
    @EnabledIfSystemProperty(named = "bitmig.deep", matches = "true")
    void theVerdictMatrixWithOfflineToolsMatchesItsCommittedGoldenFile() throws Exception {
        GoldenMatrix.check(BOUNDS, GOLDEN);
    }
}
