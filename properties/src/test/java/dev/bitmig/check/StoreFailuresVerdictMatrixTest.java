package dev.bitmig.check;

import dev.bitmig.model.Capabilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;

/**
 * The verdict matrix with a volume that fills up and is freed again (--store-failures), every violation class of
 * every cell, in a golden file of its own, so that the default matrix (verdicts-default.json) stays comparable. Checked
 * under {@code -Pdeep} only (as {@link OfflineToolsVerdictMatrixTest}); regenerate with {@code -Dbitmig.updateGolden=true}.
 */
class StoreFailuresVerdictMatrixTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/verdicts-store-failures.json");

    /** The default bounds with a volume that can fill up. */
    static final Bounds BOUNDS = Bounds.DEFAULT.withCapabilities(Capabilities.STORE_FAILURES);

    @Test
    @EnabledIfSystemProperty(named = "bitmig.deep", matches = "true")
    void theVerdictMatrixWithStoreFailuresMatchesItsCommittedGoldenFile() throws Exception {
        GoldenMatrix.check(BOUNDS, GOLDEN);
    }
}
