package dev.bitmig.spark;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.Explorer;
import dev.bitmig.check.Refinement;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spark on two local cores gives the single-JVM explorer's answers, run for run: the same distinct states at every
 * level, the same verdicts, the same classes and the same counterexamples, at depth 6 for every registered policy and
 * at depth 7 for one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkExplorerEquivalenceTest {
    private SparkSearchEngine spark;

    @BeforeAll
    void startSpark() {
        spark = new SparkSearchEngine();
        spark.start("local[2]", 0, System.out::println);
    }

    @AfterAll
    void stopSpark() {
        spark.close();
    }

    static Stream<String> policies() {
        return Policies.names().toJavaStream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void sparkFindsTheSameStatesClassesAndCounterexamplesAsTheSingleJvmExplorerAtDepthSix(String policy) {
        assertSameAnswers(policy, Bounds.DEFAULT.withDepth(6));
    }

    @Test
    void sparkFindsTheSameStatesClassesAndCounterexamplesAsTheSingleJvmExplorerAtDepthSevenForQemuUpstream() {
        assertSameAnswers(Policies.QEMU_10_0.name(), Bounds.DEFAULT.withDepth(7));
    }

    private void assertSameAnswers(String name, Bounds bounds) {
        Policy policy = Policies.ALL.find(p -> p.name().equals(name)).get();
        Spec spec = new Spec(policy, bounds.geometry());
        ExplorationResult jvm = new Explorer(spec, bounds, 2, Refinement.NONE).run(Explorer.initialWorlds(bounds), p -> { });
        ExplorationResult onSpark = spark.explore(spec, bounds, true);
        assertThat(Answers.of(onSpark)).isEqualTo(Answers.of(jvm));
        assertThat(onSpark.classes().values().flatMap(l -> l)).as("the search finds violation classes to compare")
                .isNotEmpty();
    }
}
