package dev.bitmig.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.model.Policies;
import io.vavr.collection.List;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A committed verdict matrix and the check against it: a run that disagrees fails the build with the difference in
 * words ("… now also fails NoUnderReport by class X (7 steps): …"). To accept a deliberate policy change, run with
 * {@code -Dbitmig.updateGolden=true} and commit the file with the change.
 */
final class GoldenMatrix {
    private GoldenMatrix() {
    }

    static void check(Bounds bounds, Path golden) throws Exception {
        // the same runs as VerdictMatrix.explore: every policy, every processor, the symmetry reduction on
        VerdictMatrix matrix = new VerdictMatrix(bounds, Policies.ALL.map(p ->
                Runs.of(p, bounds, Runtime.getRuntime().availableProcessors(), true)));
        ObjectNode now = matrix.toJson();
        if (Boolean.getBoolean("bitmig.updateGolden")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, TraceJson.MAPPER.writeValueAsString(now) + "\n");
        }
        assertThat(golden).as("golden verdict matrix (create it with -Dbitmig.updateGolden=true)").exists();
        JsonNode saved = TraceJson.MAPPER.readTree(Files.readString(golden));
        List<String> diffs = VerdictMatrix.differences(saved, now);
        assertThat(diffs.toJavaList())
                .as("the verdict matrix changed; if the policy change is deliberate, rerun with "
                        + "-Dbitmig.updateGolden=true and commit the golden file with it")
                .isEmpty();
        assertThat(saved.get("configuration")).isEqualTo(now.get("configuration"));
    }
}
