package dev.bitmig.check;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * The verdict matrix of the default configuration, with every violation class, is committed as a golden file. A run
 * that disagrees fails the build and names the class that appeared or disappeared, with its counterexample.
 */
class VerdictMatrixTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/verdicts-default.json");

    @Test
    void theDefaultVerdictMatrixMatchesTheCommittedGoldenFile() throws Exception {
        GoldenMatrix.check(Bounds.DEFAULT, GOLDEN);
    }
}
