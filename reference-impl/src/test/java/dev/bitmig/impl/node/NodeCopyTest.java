package dev.bitmig.impl.node;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.RunState;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Copies of nodes and bitmaps are deep: changing the copy leaves the original as it was, and every flag is kept. */
class NodeCopyTest {
    private static final Disk DISK = new Disk(8, Set.of());

    private static DirtyBitmap withEveryFlag() {
        DirtyBitmap b = new DirtyBitmap(2 * Disk.CLUSTER, DISK.newBits(2 * Disk.CLUSTER), true, false);
        b.bits().set(0, 1);
        b.setBusy(true);
        b.setSkipStore(true);
        b.setInconsistent(true);
        b.setReadonly(true);
        HBitmap successor = DISK.newBits(2 * Disk.CLUSTER);
        successor.set(4 * Disk.CLUSTER, 1);
        b.createSuccessor(successor, true);
        return b;
    }

    @Test
    void aBitmapCopyKeepsEveryFlagAndBothBitmaps() {
        DirtyBitmap c = withEveryFlag().copy();
        assertThat(c.granularityBytes()).isEqualTo(2 * Disk.CLUSTER);
        assertThat(c.persistent()).isTrue();
        assertThat(c.enabled()).isFalse();
        assertThat(c.busy()).isTrue();
        assertThat(c.skipStore()).isTrue();
        assertThat(c.inconsistent()).isTrue();
        assertThat(c.readonly()).isTrue();
        assertThat(c.successorEnabled()).isTrue();
        assertThat(c.bits().dirtyGranules()).containsExactly(0);
        assertThat(c.successor().dirtyGranules()).containsExactly(2);
    }

    @Test
    void aBitmapCopyWithoutASuccessorHasNone() {
        DirtyBitmap c = new DirtyBitmap(Disk.CLUSTER, DISK.newBits(Disk.CLUSTER), false, true).copy();
        assertThat(c.hasSuccessor()).isFalse();
        assertThat(c.successor()).isNull();
    }

    @Test
    void changingABitmapCopyLeavesTheOriginal() {
        DirtyBitmap original = withEveryFlag();
        DirtyBitmap c = original.copy();
        c.bits().set(6 * Disk.CLUSTER, 1);
        c.successor().set(0, 1);
        assertThat(original.bits().dirtyGranules()).containsExactly(0);
        assertThat(original.successor().dirtyGranules()).containsExactly(2);
    }

    @Test
    void aNodeCopyKeepsItsStateAndCopiesItsBitmaps() {
        BlockNode n = new BlockNode(RunState.PAUSED, BlockState.ACTIVE, true);
        n.bitmaps().put("a", withEveryFlag());
        BlockNode c = n.copy();
        assertThat(c.run()).isEqualTo(RunState.PAUSED);
        assertThat(c.block()).isEqualTo(BlockState.ACTIVE);
        assertThat(c.readOnly()).isTrue();
        assertThat(c.bitmaps()).containsOnlyKeys("a");
        assertThat(c.bitmap("a")).isNotSameAs(n.bitmap("a"));
        assertThat(c.bitmap("a").bits().dirtyGranules()).containsExactly(0);
        c.bitmap("a").bits().set(2 * Disk.CLUSTER, 1);
        c.bitmaps().remove("a");
        assertThat(n.bitmap("a").bits().dirtyGranules()).containsExactly(0);
    }
}
