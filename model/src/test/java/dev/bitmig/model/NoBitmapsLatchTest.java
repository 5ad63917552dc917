package dev.bitmig.model;

import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A QEMU bug the live runner found (migration/block-dirty-bitmap.c): a migration with the dirty-bitmaps capability that
 * finds no bitmap sets DBMSaveState.no_bitmaps, and nothing clears it, so that QEMU never migrates a bitmap again.
 */
class NoBitmapsLatchTest {

    /** A migration with the capability and no bitmap, cancelled; then a bitmap, a new target, and a second migrate. */
    private static Story secondMigration(Policy p) {
        return Story.of(p, 4).then(new Action.Launch(TARGET, true), new Action.MigrateStart(true),
                new Action.MigrateCancel(), new Action.BitmapAdd(SOURCE, "a", 1, false, false),
                new Action.Launch(TARGET, true), new Action.MigrateStart(true));
    }

    @Test
    void afterAMigrationThatFoundNoBitmapQemuNeverMigratesABitmapAgain() {
        for (Policy p : Policies.ALL) {
            Story s = secondMigration(p);
            assertThat(s.source().noBitmaps()).as(p.name()).isTrue();
            assertThat(s.world().migration().riding()).as(p.name()).isEmpty();
            assertThat(s.bitmap(SOURCE, "a").busy()).as(p.name()).isFalse();
            assertThat(s.target().bitmaps().containsKey("a")).as(p.name()).isFalse();
        }
    }

    @Test
    void aMigrationThatFindsABitmapDoesNotLatch() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.BitmapAdd(SOURCE, "a", 1, false, false),
                new Action.Launch(TARGET, true), new Action.MigrateStart(true));
        assertThat(s.source().noBitmaps()).isFalse();
        assertThat(s.target().bitmaps().containsKey("a")).isTrue();
    }

    @Test
    void aNewSourceProcessMigratesBitmapsAgain() {
        Story s = secondMigration(Policies.QEMU_7_2).then(new Action.MigrateCancel(), new Action.Quit(SOURCE),
                new Action.Launch(SOURCE, false), new Action.BitmapAdd(SOURCE, "b", 1, false, false),
                new Action.Launch(TARGET, true), new Action.MigrateStart(true));
        assertThat(s.source().noBitmaps()).isFalse();
        assertThat(s.world().migration().riding().toJavaList()).containsExactly("b");
    }
}
