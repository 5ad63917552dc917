package dev.bitmig.impl.policy;

import dev.bitmig.model.Geometry;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.World;
import io.vavr.collection.SortedSet;
import io.vavr.control.Either;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A policy's implementation is the class named after it in this package: no registration, no instanceof chain. */
class PolicyImplementationsAreFoundByNameTest {

    /** A policy someone wrote without an implementation: it is checked against the model alone. */
    record ModelOnlyPolicy() implements Policy {
        @Override
        public String name() {
            return "MODEL_ONLY";
        }

        @Override
        public String description() {
            return "a policy with no implementation";
        }

        @Override
        public World onMigrationStart(World w, SortedSet<String> selected) {
            return w;
        }

        @Override
        public Either<String, World> onInactivate(World w, NodeId node, Geometry geometry) {
            return Either.right(w);
        }

        @Override
        public Either<String, World> onActivate(World w, NodeId node, Geometry geometry) {
            return Either.right(w);
        }
    }

    @Test
    void everyRegisteredPolicyHasTheImplementationNamedAfterIt() {
        for (Policy p : Policies.ALL) {
            ImplPolicy impl = ImplPolicy.find(p).orElseThrow(() -> new AssertionError(p.name() + " has no implementation"));
            assertThat(impl.getClass().getSimpleName() + "Policy").as(p.name()).isEqualTo(p.getClass().getSimpleName());
        }
    }

    @Test
    void aCanaryImplementationKeepsItsModelPolicysConfiguration() {
        Canary drop = (Canary) ImplPolicy.of(Policies.CANARY_DROP);
        Canary merge = (Canary) ImplPolicy.of(Policies.CANARY_MERGE);
        assertThat(drop.merges()).isFalse();
        assertThat(merge.merges()).isTrue();
        assertThat(merge.granularityBytes()).isEqualTo(Policies.DEFAULT_CANARY_GRANULARITY * dev.bitmig.impl.node.Disk.CLUSTER);
    }

    @Test
    void aPolicyWithoutAnImplementationIsModelOnlyAndSaysSoWhenOneIsDemanded() {
        assertThat(ImplPolicy.find(new ModelOnlyPolicy())).isEmpty();
        assertThat(ImplPolicy.exists(new ModelOnlyPolicy())).isFalse();
        assertThatThrownBy(() -> ImplPolicy.of(new ModelOnlyPolicy()))
                .hasMessageContaining("MODEL_ONLY has no implementation (model only)");
    }
}
