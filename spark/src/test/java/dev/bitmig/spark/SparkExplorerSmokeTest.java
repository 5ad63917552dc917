package dev.bitmig.spark;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.Explorer;
import dev.bitmig.check.Refinement;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Spec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SparkExplorerSmokeTest {
    @Test
    void sparkCountsTheSameStatesAtDepthFour() {
        Bounds b = Bounds.DEFAULT.withDepth(4);
        Spec spec = new Spec(Policies.QEMU_UPSTREAM, b.geometry());
        ExplorationResult jvm = new Explorer(spec, b, 1, Refinement.NONE).run(Explorer.initialWorlds(b), p -> { });
        try (SparkSearchEngine e = new SparkSearchEngine()) {
            e.start("local[2]", 0, System.err::println);
            ExplorationResult spark = e.explore(spec, b, true);
            assertThat(spark.levels()).isEqualTo(jvm.levels());
            assertThat(spark.generated()).isEqualTo(jvm.generated());
            assertThat(spark.classes()).isEqualTo(jvm.classes());
            assertThat(spark.verdicts()).isEqualTo(jvm.verdicts());
            assertThat(spark.perAction()).isEqualTo(jvm.perAction());
        }
    }
}
