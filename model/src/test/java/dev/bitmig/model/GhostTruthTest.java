package dev.bitmig.model;

import dev.bitmig.model.scenario.ThreadScenarios;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ghost truth behind the invariants: lineage ids, families, and the fork that gives a copy its own lineage when
 * the user treats it differently from the other copies. None of it is observable in QEMU.
 */
class GhostTruthTest {

    @Test
    void aFreshIdSkipsEveryLiveLineageAndEveryLiveFamily() {
        assertThat(Ghost.EMPTY.nextId()).isEqualTo(1);
        assertThat(Ghost.EMPTY.born(1, true, true).nextId()).isEqualTo(2);
        assertThat(Ghost.EMPTY.born(1, true, true).born(2, false, true).nextId()).isEqualTo(3);
        // Lineage 2 forked from family 1, which no longer lives as a lineage: id 1 still names a bitmap for the user.
        Ghost forked = Ghost.EMPTY.with(2, Lineage.fresh(true, true, 1));
        assertThat(forked.nextId()).isEqualTo(3);
    }

    @Test
    void theFamilyOfAForkIsTheLineageItForkedFrom() {
        Ghost forked = Ghost.EMPTY.with(2, Lineage.fresh(true, true, 1));
        assertThat(forked.family(2)).isEqualTo(1);
        assertThat(forked.family(7)).isEqualTo(7);
    }

    @Test
    void askingForALineageThatIsNotAliveIsAnError() {
        assertThatThrownBy(() -> Ghost.EMPTY.lineage(9)).isInstanceOf(IllegalStateException.class)
                .hasMessage("no lineage 9");
    }

    @Test
    void aBitmapThatIsItsLineagesOnlyCopyKeepsItsLineageWhateverTheUserDoes() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.BitmapAdd(SOURCE, "b", 1, true, false), new Action.GuestWrite(SOURCE, 0, 1));
        int a = s.bitmap(SOURCE, "a").lineage();
        int b = s.bitmap(SOURCE, "b").lineage();
        s.then(new Action.BitmapClear(SOURCE, "a"), new Action.BitmapDisable(SOURCE, "b"),
                new Action.BitmapEnable(SOURCE, "b"), new Action.Backup(SOURCE, "a"));
        assertThat(s.bitmap(SOURCE, "a").lineage()).isEqualTo(a);
        assertThat(s.bitmap(SOURCE, "b").lineage()).isEqualTo(b);
        assertThat(s.world().ghost().lineages().keySet().toJavaList()).containsExactly(a, b);
    }

    @Test
    void anImageEntryOfAnotherBitmapDoesNotMakeABitmapShared() {
        Story s = Story.of(Policies.QEMU_10_0, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE)
                .then(new Action.BitmapAdd(SOURCE, "b", 1, true, false));
        int b = s.bitmap(SOURCE, "b").lineage();
        s.then(new Action.BitmapClear(SOURCE, "b"));
        assertThat(s.bitmap(SOURCE, "b").lineage()).isEqualTo(b);
    }

    @Test
    void clearingALoadedBitmapForksItFromItsImageEntryWhichKeepsItsTruth() {
        Story s = Story.of(Policies.QEMU_10_0, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE);
        int shared = s.bitmap(SOURCE, "a").lineage();
        assertThat(s.entry("a").lineage()).isEqualTo(shared);
        s.then(new Action.BitmapClear(SOURCE, "a"));
        int own = s.bitmap(SOURCE, "a").lineage();
        assertThat(own).isNotEqualTo(shared);
        assertThat(s.entry("a").lineage()).isEqualTo(shared);
        assertThat(s.world().ghost().lineage(shared).truth().toJavaList()).containsExactly(0, 1);
        assertThat(s.world().ghost().lineage(own).truth().isEmpty()).isTrue();
        assertThat(s.world().ghost().family(own)).isEqualTo(s.world().ghost().family(shared));
    }

    @Test
    void clearingTheTargetsCopyAfterAMigrationLeavesTheSourcesCopyItsTruth() {
        Story s = Story.of(Policies.QEMU_10_0, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE)
                .then(new Action.MigrateStart(true), new Action.MigrateComplete());
        int shared = s.bitmap(SOURCE, "a").lineage();
        assertThat(s.bitmap(TARGET, "a").lineage()).isEqualTo(shared);
        s.then(new Action.BitmapClear(TARGET, "a"));
        int own = s.bitmap(TARGET, "a").lineage();
        assertThat(own).isNotEqualTo(shared);
        assertThat(s.bitmap(SOURCE, "a").lineage()).isEqualTo(shared);
        assertThat(s.world().ghost().lineage(shared).truth().toJavaList()).containsExactly(0, 1);
        assertThat(s.world().ghost().lineage(own).truth().isEmpty()).isTrue();
    }

    @Test
    void theObservableWorldErasesTheGhostAndKeepsEverythingQemuShows() {
        Story s = Story.of(Policies.QEMU_10_0, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE)
                .then(new Action.BitmapAdd(SOURCE, "b", 1, true, false), new Action.BitmapRemove(SOURCE, "b"));
        assertThat(s.world().losses().isEmpty()).isFalse();
        World seen = s.world().observable();
        assertThat(seen.ghost()).isEqualTo(Ghost.EMPTY);
        assertThat(seen.losses().isEmpty()).isTrue();
        Bitmap a = seen.source().bitmap("a").get();
        assertThat(a.lineage()).isZero();
        assertThat(a.granules().toJavaList()).containsExactly(0, 1);
        assertThat(a.enabled()).isTrue();
        StoredBitmap entry = seen.image().directory().get("a").get();
        assertThat(entry.lineage()).isZero();
        assertThat(entry.inUse()).isTrue();
        assertThat(entry.granules().toJavaList()).containsExactly(0);
        assertThat(seen.image().owner()).isEqualTo(s.world().image().owner());
        assertThat(seen.target()).isEqualTo(s.target());
    }
}
