package dev.bitmig.check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;

/**
 * The verdict matrix at depth 8, where failures that need a completed migration followed by more steps show (the
 * target runs, writes and goes away, then the source resumes; a second migration; a relaunch after a crash). Its
 * golden file is checked under {@code -Pdeep} only: the run takes as long as {@code ./bitmig check --all --depth 8}.
 */
class DeepVerdictMatrixTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/verdicts-depth8.json");

    @Test
    @EnabledIfSystemProperty(named = "bitmig.deep", matches = "true")
    void theDepthEightVerdictMatrixMatchesTheCommittedGoldenFile() throws Exception {
        GoldenMatrix.check(Bounds.DEFAULT.withDepth(8), GOLDEN);
    }

    @Test
    @EnabledIfSystemProperty(named = "bitmig.deep", matches = "true")
    void neitherReductionChangesAVerdictOrAClassOfAnyPolicyAtDepthSix() {
        for (var p : dev.bitmig.model.Policies.ALL) {
            SymmetryCheck.sameAnswers(Runs.of(p, Bounds.DEFAULT, 2, true, true), Runs.of(p, Bounds.DEFAULT, 2, false, true));
            SymmetryCheck.sameAnswers(Runs.of(p, Bounds.DEFAULT, 2, true, true), Runs.of(p, Bounds.DEFAULT, 2, true, false));
        }
    }
}
