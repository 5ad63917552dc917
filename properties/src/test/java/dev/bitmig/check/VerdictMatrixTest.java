package dev.bitmig.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.model.Policies;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verdict matrix of the default configuration is committed as a golden file. A run that disagrees fails the
 * build and prints the difference and the new counterexample. To accept a deliberate policy change, run with
 * {@code -Dbitmig.updateGolden=true} and commit the file with the change.
 */
class VerdictMatrixTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/verdicts-default.json");

    @Test
    void theDefaultVerdictMatrixMatchesTheCommittedGoldenFile() throws Exception {
        VerdictMatrix matrix = VerdictMatrix.explore(Policies.ALL, Bounds.DEFAULT,
                Runtime.getRuntime().availableProcessors(), p -> { });
        ObjectNode now = matrix.toJson();
        if (Boolean.getBoolean("bitmig.updateGolden")) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, TraceJson.MAPPER.writeValueAsString(now) + "\n");
        }
        assertThat(GOLDEN).as("golden verdict matrix (create it with -Dbitmig.updateGolden=true)").exists();
        JsonNode saved = TraceJson.MAPPER.readTree(Files.readString(GOLDEN));
        List<String> diffs = VerdictMatrix.differences(saved, now);
        assertThat(diffs.toJavaList())
                .as("the verdict matrix changed; if the policy change is deliberate, rerun with "
                        + "-Dbitmig.updateGolden=true and commit the golden file with it")
                .isEmpty();
        assertThat(saved.get("configuration")).isEqualTo(now.get("configuration"));
    }
}
