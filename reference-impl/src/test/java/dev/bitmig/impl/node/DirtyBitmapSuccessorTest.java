package dev.bitmig.impl.node;

import dev.bitmig.impl.hbitmap.HBitmap;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A frozen parent and its successor (block/dirty-bitmap.c): who records guest writes and what the bitmap reports. */
class DirtyBitmapSuccessorTest {
    private static final Disk DISK = new Disk(8, Set.of());

    private static DirtyBitmap parent(boolean enabled) {
        return new DirtyBitmap(Disk.CLUSTER, DISK.newBits(Disk.CLUSTER), false, enabled);
    }

    @Test
    void anEnabledSuccessorRecordsGuestWritesWhileTheDisabledParentDoesNot() {
        DirtyBitmap b = parent(false);
        b.createSuccessor(DISK.newBits(Disk.CLUSTER), true);
        b.markDirty(3 * Disk.CLUSTER, Disk.CLUSTER);
        assertThat(b.successorEnabled()).isTrue();
        assertThat(b.bits().isEmpty()).isTrue();
        assertThat(b.successor().dirtyGranules()).containsExactly(3);
    }

    @Test
    void aDisabledSuccessorRecordsNothing() {
        DirtyBitmap b = parent(true);
        b.createSuccessor(DISK.newBits(Disk.CLUSTER), false);
        b.markDirty(0, 2 * Disk.CLUSTER);
        assertThat(b.successor().isEmpty()).isTrue();
        assertThat(b.bits().dirtyGranules()).containsExactly(0, 1);
    }

    @Test
    void aDisabledBitmapWithoutSuccessorRecordsNothing() {
        DirtyBitmap b = parent(false);
        b.markDirty(0, Disk.CLUSTER);
        assertThat(b.bits().isEmpty()).isTrue();
    }

    @Test
    void theReportedBitsAreTheParentsAndTheSuccessorsWithoutChangingEither() {
        DirtyBitmap b = parent(false);
        b.bits().set(Disk.CLUSTER, 1);
        HBitmap successor = DISK.newBits(Disk.CLUSTER);
        successor.set(5 * Disk.CLUSTER, 1);
        b.createSuccessor(successor, false);
        HBitmap reported = b.reported();
        assertThat(reported.dirtyGranules()).containsExactly(1, 5);
        assertThat(b.bits().dirtyGranules()).containsExactly(1);
        assertThat(b.successor().dirtyGranules()).containsExactly(5);
    }

    @Test
    void withoutASuccessorTheReportedBitsAreTheBitmapsOwn() {
        DirtyBitmap b = parent(true);
        b.bits().set(2 * Disk.CLUSTER, 1);
        assertThat(b.reported()).isSameAs(b.bits());
    }

    @Test
    void droppingTheSuccessorForgetsItAndItsEnabledFlag() {
        DirtyBitmap b = parent(false);
        b.createSuccessor(DISK.newBits(Disk.CLUSTER), true);
        b.dropSuccessor();
        assertThat(b.hasSuccessor()).isFalse();
        assertThat(b.successorEnabled()).isFalse();
    }
}
