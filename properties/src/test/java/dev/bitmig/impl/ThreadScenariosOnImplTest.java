package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import dev.bitmig.model.scenario.Scenario;
import dev.bitmig.model.scenario.ScenarioRun;
import dev.bitmig.model.scenario.ThreadScenarios;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared table: every thread scenario under every policy, on the model and on the implementation. */
class ThreadScenariosOnImplTest {
    private static final Geometry GEOMETRY = new Geometry(ThreadScenarios.CLUSTERS);

    static Stream<Arguments> everyScenarioUnderEveryPolicy() {
        return ThreadScenarios.ALL.toJavaStream().flatMap(s -> Policies.ALL.toJavaStream()
                .map(p -> Arguments.of(s.id(), p.name(), s, p)));
    }

    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("everyScenarioUnderEveryPolicy")
    void implementationGivesTheModelsOutcomeAndObservableWorldAtEveryStep(String id, String policyName,
                                                                           Scenario scenario, Policy policy) {
        ScenarioRun run = ScenarioRun.of(scenario, new Spec(policy, GEOMETRY), World.initial(GEOMETRY));
        ImplSystem impl = new ImplSystem(policy, GEOMETRY, Set.of());
        for (int i = 0; i < scenario.steps().size(); i++) {
            Outcome actual = ImplDriver.step(impl, scenario.steps().get(i));
            Outcome expected = run.outcomes().get(i);
            String where = "step " + (i + 1) + " " + scenario.steps().get(i);
            assertThat(actual.error()).as(where).isEqualTo(expected.error());
            assertThat(actual.isRejected()).as(where + ": " + actual).isEqualTo(expected.isRejected());
            assertThat(Abstraction.of(impl)).as(where).isEqualTo(run.worlds().get(i).observable());
        }
        assertThat(impl.storeLog()).noneMatch(w -> w.fromInactiveNode());
    }
}
