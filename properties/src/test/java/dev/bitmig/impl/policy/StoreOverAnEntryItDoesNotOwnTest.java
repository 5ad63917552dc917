package dev.bitmig.impl.policy;

import dev.bitmig.check.Abstraction;
import dev.bitmig.impl.Fault;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.QemuErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.bitmig.impl.policy.PolicyRuns.last;
import static dev.bitmig.impl.policy.PolicyRuns.outcomes;
import static dev.bitmig.impl.policy.PolicyRuns.seq;
import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * R2: QEMU never overwrites an entry it does not own (block/qcow2-bitmap.c). An open that forgot to set IN_USE (a
 * seeded fault) leaves a same-named entry that is not IN_USE, so the next store must fail.
 */
class StoreOverAnEntryItDoesNotOwnTest {
    private static final Set<Fault> NO_IN_USE = Set.of(Fault.STORE_NO_IN_USE_ON_OPEN);

    /** The source stores "a" with cluster 0, opens the image again and records cluster 5. */
    private static List<Action> reopenedAndWritten(Action... then) {
        List<Action> out = new java.util.ArrayList<>(seq(new BitmapAdd(SOURCE, "a", 1, true, false),
                new GuestWrite(SOURCE, 0, 1), new Quit(SOURCE), new Launch(SOURCE, false), new GuestWrite(SOURCE, 5, 1)));
        out.addAll(List.of(then));
        return out;
    }

    static Stream<Policy> everyPolicy() {
        return Policies.ALL.toJavaStream();
    }

    @ParameterizedTest
    @MethodSource("everyPolicy")
    void inactivationFailsWhenTheImageHoldsAnEntryOfTheSameNameThatIsNotInUse(Policy policy) {
        // Before QEMU 10.0 only a migration's handover inactivates: one without bitmaps gets there.
        List<Action> actions = policy.release().hasBlockdevSetActive()
                ? reopenedAndWritten(new Stop(SOURCE), new Inactivate(SOURCE))
                : reopenedAndWritten(new Launch(dev.bitmig.model.NodeId.TARGET, true),
                        new dev.bitmig.model.Action.MigrateStart(false), new Inactivate(SOURCE));
        String lost = QemuErrors.lostOnInactivation(QemuErrors.existsInImage("a"));
        ImplSystem faulty = PolicyRuns.withFaults(policy, NO_IN_USE);
        Outcome inactivated = last(outcomes(faulty, actions));
        if (policy.release().hasBlockdevSetActive()) {
            assertThat(inactivated).isEqualTo(Outcome.rejected(QemuErrors.INACTIVATE_FAILED));
        } else {
            // At a migration's handover the failed store fails the migration (migration/savevm.c).
            assertThat(Abstraction.of(faulty).migration().error().toJavaOptional()).contains(lost);
        }

        ImplSystem correct = PolicyRuns.agreeing(policy, actions);
        assertThat(Abstraction.of(correct).source().block()).isEqualTo(dev.bitmig.model.BlockState.INACTIVE);
    }

    @Test
    void aQuitThatCannotStoreLeavesTheImageEntryAsItWas() {
        List<Action> actions = reopenedAndWritten(new Quit(SOURCE));
        ImplSystem faulty = PolicyRuns.withFaults(Policies.QEMU_10_0, NO_IN_USE);
        outcomes(faulty, actions);
        assertThat(Abstraction.of(faulty).image().directory().get("a").get().granules()).containsExactly(0);

        ImplSystem correct = PolicyRuns.agreeing(Policies.QEMU_10_0, actions);
        assertThat(Abstraction.of(correct).image().directory().get("a").get().granules()).containsExactly(0, 5);
    }
}
