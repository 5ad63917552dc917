package dev.bitmig.check;

import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The explorer with the implementation's refinement check on every transition, for every policy, within some bounds:
 * the check that the default explorer test and each capability's explorer test (mirror, backup jobs, offline tools,
 * store failures) make.
 */
final class EveryPolicyRefines {
    private EveryPolicyRefines() {
    }

    /** Every explored transition of every policy within {@code b} refines the model; more than 1000 were generated. */
    static void within(Bounds b) {
        for (Policy p : Policies.ALL) {
            ExplorationResult r = new Explorer(new Spec(p, b.geometry()), b, 2,
                    new ImplRefinement(p, b.geometry(), Set.of())).run(Explorer.initialWorlds(b), x -> { });
            assertThat(r.refinementMessage()).as("%s: implementation disagrees with the model", p.name()).isEmpty();
            assertThat(r.generated()).isGreaterThan(1000);
        }
    }
}
