package dev.bitmig.model;

import dev.bitmig.model.scenario.ScenarioRun;
import dev.bitmig.model.scenario.ThreadScenarios;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The names the CLI, the reports and the JSON use for policies, invariants, actions and outcomes. */
class ReportVocabularyTest {

    @Test
    void thePoliciesAreListedAndFoundUnderTheirReportNames() {
        assertThat(Policies.names().toJavaList()).containsSubsequence("QEMU_2_12", "REPERSIST_ON_INVALIDATE",
                "DROP_ON_INACTIVATE", "CANARY_DROP", "CANARY_MERGE", "QEMU_10_0").doesNotHaveDuplicates();
        for (Policy p : Policies.ALL) {
            assertThat(Policy.byName(p.name()).get()).isSameAs(p);
        }
        assertThat(Policy.byName("QEMU_9_0").isEmpty()).isTrue();
    }

    @Test
    void eachPolicyDescribesItselfInItsOwnWords() {
        assertThat(Policies.ALL.map(Policy::description).filter(d -> !d.isBlank()).distinct().size())
                .isEqualTo(Policies.ALL.size());
        String merge = Policies.CANARY_MERGE.description();
        assertThat(merge).contains("merge variant").contains("is merged into the kept bitmaps")
                .contains("granularity 4 clusters");
        String drop = Policies.CANARY_DROP.description();
        assertThat(drop).contains("drop variant").contains("drops the kept bitmaps");
    }

    @Test
    void aCanaryGranularityMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new CanaryPolicy(true, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("canary granularity must be a power of two, got 3");
        assertThat(new CanaryPolicy(true, 1).name()).isEqualTo("CANARY_MERGE");
    }

    @Test
    void theCanaryPrefixIsReservedForCanaries() {
        assertThat(CanaryPolicy.isCanary("bitmig-canary-source")).isTrue();
        assertThat(CanaryPolicy.isCanary("a")).isFalse();
    }

    @Test
    void theInvariantsAreNamedAsTheReportsSpellThem() {
        assertThat(java.util.Arrays.stream(Invariant.values()).map(Invariant::title))
                .containsExactly("NoUnderReport", "SingleWriter", "NoSilentLoss", "NoLostDisk");
        for (Invariant i : Invariant.values()) {
            assertThat(Invariant.byTitle(i.title()).get()).isSameAs(i);
        }
        assertThat(Invariant.byTitle("NO_UNDER_REPORT").isEmpty()).isTrue();
    }

    @Test
    void anActionsKindIsItsRecordName() {
        assertThat(new Action.GuestWrite(SOURCE, 0, 1).kind()).isEqualTo("GuestWrite");
        assertThat(new Action.MigrateComplete().kind()).isEqualTo("MigrateComplete");
    }

    @Test
    void anOutcomeSaysWhetherQemuRejectedTheAction() {
        assertThat(Outcome.rejected("Bitmap name cannot be empty").isRejected()).isTrue();
        assertThat(Outcome.next(World.initial(new Geometry(1))).isRejected()).isFalse();
    }

    @Test
    void aSpecNamesItsPolicy() {
        assertThat(new Spec(Policies.CANARY_DROP, new Geometry(4)).policy()).isSameAs(Policies.CANARY_DROP);
    }

    @Test
    void aScenarioRunListsItsRejectionsByStepWithQemusWords() {
        Spec spec = new Spec(Policies.QEMU_10_0, new Geometry(ThreadScenarios.CLUSTERS));
        ScenarioRun run = ScenarioRun.of(ThreadScenarios.B_TARGET_WRITES_QUITS_CONT_SOURCE, spec,
                World.initial(spec.geometry()));
        assertThat(run.rejections().toJavaList()).containsExactly(
                "step 11 Cont[node=SOURCE]: Could not reopen qcow2 layer: Bitmap already exists: a",
                "step 12 GuestWrite[node=SOURCE, first=0, count=1]: write failed: No medium found");
    }
}
