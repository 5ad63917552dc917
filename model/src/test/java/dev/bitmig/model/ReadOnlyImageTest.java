package dev.bitmig.model;

import dev.bitmig.model.scenario.ThreadScenarios;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A QEMU that opened the image read-only: its bitmaps load readonly (qcow2-bitmap.c), writes fail, and
 * bdrv_dirty_bitmap_check refuses to modify a readonly bitmap where the command checks BDRV_BITMAP_RO.
 */
class ReadOnlyImageTest {
    private static final String READONLY = "Bitmap 'a' is readonly and cannot be modified";

    /** The thread's prelude, then a stored a opened again read-only, with a transient bitmap t added on top. */
    private static Story readOnly() {
        return Story.of(Policies.QEMU_10_0, ThreadScenarios.CLUSTERS).then(ThreadScenarios.PRELUDE)
                .then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true),
                        new Action.BitmapAdd(SOURCE, "t", 1, false, false));
    }

    @Test
    void aGuestCannotWriteThroughAReadOnlyQemu() {
        Story s = Story.of(Policies.QEMU_10_0, 4).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true));
        assertThat(s.refuses(new Action.GuestWrite(SOURCE, 0, 1))).isEqualTo("Block node is read-only");
    }

    @Test
    void aNodeHoldingAReadonlyBitmapRefusesGuestWrites() {
        // R13, block/io.c bdrv_aligned_pwritev: bdrv_has_readonly_bitmaps -> -EPERM. Readonly bitmaps only ever load
        // on a read-only node, which refuses the write earlier, so the node is built by hand to pin this guard.
        World w = World.initial(new Geometry(4));
        World ro = w.withNode(SOURCE, w.source().withBitmap("r", Bitmap.added(1, 1).withPersistent(true).withReadonly(true)))
                .withGhost(Ghost.EMPTY.born(1, true, true));
        Story s = Story.from(Policies.QEMU_10_0, 4, ro);
        assertThat(s.refuses(new Action.GuestWrite(SOURCE, 0, 1))).isEqualTo("write failed: Operation not permitted");
    }

    @Test
    void aReadonlyBitmapCannotBeRemovedClearedBackedUpOrMergedInto() {
        Story s = readOnly();
        assertThat(s.refuses(new Action.BitmapRemove(SOURCE, "a"))).isEqualTo(READONLY);
        assertThat(s.refuses(new Action.BitmapClear(SOURCE, "a"))).isEqualTo(READONLY);
        assertThat(s.refuses(new Action.Backup(SOURCE, "a"))).isEqualTo(READONLY);
        assertThat(s.refuses(new Action.BitmapMerge(SOURCE, "a", List.of("t")))).isEqualTo(READONLY);
    }

    @Test
    void aReadonlyBitmapCanBeEnabledDisabledAndMergedFrom() {
        // enable/disable check BUSY|INCONSISTENT only; merge sources are checked with BDRV_BITMAP_ALLOW_RO
        Story s = readOnly().then(new Action.BitmapDisable(SOURCE, "a"));
        assertThat(s.bitmap(SOURCE, "a").enabled()).isFalse();
        s.then(new Action.BitmapEnable(SOURCE, "a"), new Action.BitmapMerge(SOURCE, "t", List.of("a")));
        assertThat(s.bitmap(SOURCE, "a").enabled()).isTrue();
        assertThat(s.bitmap(SOURCE, "t").granules().toJavaList()).containsExactly(0, 1);
    }

    /**
     * block/qcow2-bitmap.c qcow2_store_persistent_dirty_bitmaps: a read-only QEMU accepts a new persistent bitmap, but
     * cannot store it ("No write access"): inactivation fails with QEMU's message and quit loses it visibly.
     */
    @Test
    void aReadOnlyQemuCannotStoreAPersistentBitmapItAdded() {
        for (Policy p : Policies.ALL) {
            Story s = Story.of(p, 4).then(new Action.Quit(SOURCE), new Action.Launch(SOURCE, false, true),
                    new Action.BitmapAdd(SOURCE, "n", 1, true, false), new Action.Stop(SOURCE));
            String lost = "Lost persistent bitmaps during inactivation of node 'drive0': No write access";
            if (p.release().hasBlockdevSetActive()) {
                // blockdev-set-active answers with qcow2_inactivate's -EINVAL; the store's error goes to stderr.
                assertThat(s.refuses(new Action.Inactivate(SOURCE))).as(p.name()).isEqualTo(QemuErrors.INACTIVATE_FAILED);
            } else {
                // Before QEMU 10.0 only a migration's handover inactivates (one without bitmaps gets there), and the
                // failed store fails the migration there (migration/savevm.c "bdrv_inactivate_all() failed").
                s.then(new Action.Launch(NodeId.TARGET, true), new Action.MigrateStart(false),
                        new Action.Inactivate(SOURCE));
                assertThat(s.world().migration().phase()).as(p.name()).isEqualTo(Phase.FAILED);
                assertThat(s.world().migration().error().toJavaOptional()).as(p.name()).contains(lost);
                assertThat(s.world().source().isActive()).as(p.name()).isTrue();
            }
            s.then(new Action.Quit(SOURCE));
            assertThat(s.world().image().directory().containsKey("n")).as(p.name()).isFalse();
            assertThat(s.world().losses().map(Loss::cause).toJavaList()).as(p.name()).containsExactly(Cause.STORE_FAILED);
        }
    }

    @Test
    void aReadOnlyQemuWithOnlyReadonlyBitmapsHasNothingToStore() {
        Story s = readOnly().then(new Action.BitmapRemove(SOURCE, "t"), new Action.Stop(SOURCE), new Action.Inactivate(SOURCE));
        assertThat(s.source().isActive()).isFalse();
    }
}
