package dev.bitmig.impl.policy;

import dev.bitmig.check.Abstraction;
import dev.bitmig.impl.Fault;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.Crash;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Stop;
import dev.bitmig.model.Policies;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.bitmig.impl.policy.PolicyRuns.outcomes;
import static dev.bitmig.impl.policy.PolicyRuns.seq;
import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** DROP_ON_INACTIVATE drops whatever the store left in RAM; its seeded fault keeps the transient bitmaps. */
class DropOnInactivateTest {
    /** "p" is persistent but inconsistent (its entry stayed IN_USE after a crash), so no store takes it; "t" is transient. */
    private static final List<Action> INCONSISTENT_AND_TRANSIENT = seq(new BitmapAdd(SOURCE, "p", 1, true, false),
            new Quit(SOURCE), new Launch(SOURCE, false), new Crash(SOURCE), new Launch(SOURCE, false),
            new BitmapAdd(SOURCE, "t", 1, false, false), new Stop(SOURCE), new Inactivate(SOURCE));

    @Test
    void inactivationDropsAnInconsistentPersistentBitmapAndATransientOne() {
        ImplSystem impl = PolicyRuns.agreeing(Policies.DROP_ON_INACTIVATE, INCONSISTENT_AND_TRANSIENT);
        assertThat(Abstraction.of(impl).source().bitmaps().isEmpty()).isTrue();
    }

    @Test
    void withTheFaultOnlyThePersistentBitmapIsDropped() {
        ImplSystem impl = PolicyRuns.withFaults(Policies.DROP_ON_INACTIVATE,
                Set.of(Fault.DROP_ON_INACTIVATE_KEEPS_TRANSIENT));
        outcomes(impl, INCONSISTENT_AND_TRANSIENT);
        assertThat(Abstraction.of(impl).source().bitmaps().keySet().toJavaList()).containsExactly("t");
    }
}
