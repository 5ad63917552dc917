package dev.bitmig.check;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.QemuUpstreamPolicy;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.control.Either;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A change of a policy's behaviour fails the golden comparison with the class it adds, in words. */
class GoldenDiffNamesTheClassTest {
    private static final Bounds FOUR = Bounds.DEFAULT.withDepth(4);

    /**
     * A seeded fault: QEMU_10_0 whose inactivation releases the skip_store bitmaps too, storing nothing for them
     * and saying nothing (a store error swallowed without a message).
     */
    record SwallowsSkipStoreBitmaps(QemuUpstreamPolicy base) implements Policy {
        @Override
        public String name() {
            return base.name();
        }

        @Override
        public String description() {
            return "QEMU_10_0, except that inactivation silently releases bitmaps it did not store";
        }

        @Override
        public World onMigrationStart(World w, SortedSet<String> selected) {
            return base.onMigrationStart(w, selected);
        }

        @Override
        public Either<String, World> onInactivate(World w, NodeId node, Geometry geometry) {
            return base.onInactivate(w, node, geometry).map(next -> {
                Node n = next.node(node);
                return next.withNode(node, n.withBitmaps(n.bitmaps().filter((name, b) -> !b.skipStore())));
            });
        }

        @Override
        public Either<String, World> onActivate(World w, NodeId node, Geometry geometry) {
            return base.onActivate(w, node, geometry);
        }
    }

    private static ObjectNode matrix(Policy p) {
        return new VerdictMatrix(FOUR, List.of(ViolationClassesExplorerTest.explore(p, FOUR, 2, true))).toJson();
    }

    @Test
    void aSeededFaultShowsInTheGoldenDiffAsANewClassInWords() {
        ObjectNode saved = matrix(Policies.QEMU_10_0);
        ObjectNode now = matrix(new SwallowsSkipStoreBitmaps((QemuUpstreamPolicy) Policies.QEMU_10_0));
        List<String> diffs = VerdictMatrix.differences(saved, now);
        assertThat(diffs.toJavaList()).isNotEmpty()
                .anySatisfy(d -> assertThat(d).startsWith("QEMU_10_0 now also fails NoSilentLoss by class inactivate-source/")
                        .containsPattern("\\(\\d steps\\): \\{\"action\":\"MigrateStart\"")
                        .contains("is gone"));
        assertThat(VerdictMatrix.differences(now, saved).toJavaList())
                .anySatisfy(d -> assertThat(d).startsWith("QEMU_10_0 no longer fails NoSilentLoss by class inactivate-source/"));
        assertThat(VerdictMatrix.differences(saved, saved)).isEmpty();
    }
}
