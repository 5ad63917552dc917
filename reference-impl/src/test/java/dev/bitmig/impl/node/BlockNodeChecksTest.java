package dev.bitmig.impl.node;

import dev.bitmig.model.BlockState;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The checks of block-dirty-bitmap-add and bdrv_dirty_bitmap_check, with QEMU's error texts. */
class BlockNodeChecksTest {
    private static final Disk DISK = new Disk(4, Set.of());

    private static BlockNode nodeWith(String name, DirtyBitmap b) {
        BlockNode n = new BlockNode(RunState.RUNNING, BlockState.ACTIVE, false);
        n.bitmaps().put(name, b);
        return n;
    }

    private static DirtyBitmap bitmap() {
        return new DirtyBitmap(Disk.CLUSTER, DISK.newBits(Disk.CLUSTER), true, true);
    }

    @Test
    void anEmptyNameIsRefused() {
        assertThat(BlockNode.off().checkAdd("", Disk.CLUSTER, false)).contains(QemuErrors.EMPTY_NAME);
    }

    @Test
    void aNameOfExactly1023BytesIsAcceptedAndOneByteMoreIsRefused() {
        // qmp_block_dirty_bitmap_add: strlen(name) > BDRV_BITMAP_MAX_NAME_SIZE (1023) fails.
        String longest = "x".repeat(QemuErrors.MAX_NAME_BYTES);
        assertThat(BlockNode.off().checkAdd(longest, Disk.CLUSTER, false)).isEmpty();
        String tooLong = longest + "y";
        assertThat(BlockNode.off().checkAdd(tooLong, Disk.CLUSTER, false)).contains(QemuErrors.nameTooLong(tooLong));
    }

    @Test
    void theNameLimitCountsUtf8BytesNotCharacters() {
        String twoByteChars = "\u00e9".repeat(512); // 512 characters, 1024 bytes
        assertThat(BlockNode.off().checkAdd(twoByteChars, Disk.CLUSTER, false))
                .contains(QemuErrors.nameTooLong(twoByteChars));
    }

    @Test
    void aGranularityThatIsNotAPowerOfTwoIsRefused() {
        assertThat(BlockNode.off().checkAdd("a", 3 * Disk.CLUSTER, false)).contains(QemuErrors.BAD_GRANULARITY);
    }

    @Test
    void aSecondBitmapOfTheSameNameIsRefused() {
        BlockNode n = nodeWith("a", bitmap());
        assertThat(n.checkAdd("a", Disk.CLUSTER, false)).contains(QemuErrors.alreadyExists("a"));
        assertThat(n.checkAdd("b", Disk.CLUSTER, false)).isEmpty();
    }

    @Test
    void aNodeWithoutItsMediumRefusesNewBitmapsAsQemuDoes() {
        BlockNode n = nodeWith("a", bitmap());
        n.setBlock(dev.bitmig.model.BlockState.EJECTED);
        assertThat(n.checkAdd("b", Disk.CLUSTER, true)).contains(QemuErrors.NO_MEDIUM_STORE);
        assertThat(n.checkAdd("a", Disk.CLUSTER, false)).contains(QemuErrors.alreadyExists("a"));
        assertThat(n.checkAdd("b", Disk.CLUSTER, false)).contains(QemuErrors.NO_MEDIUM_LENGTH);
    }

    @Test
    void aMissingBitmapIsNotFound() {
        assertThat(BlockNode.off().check("a", true, true)).contains(QemuErrors.notFound("a"));
    }

    @Test
    void aBusyBitmapIsRefusedWhateverElseMatters() {
        DirtyBitmap b = bitmap();
        b.setBusy(true);
        assertThat(nodeWith("a", b).check("a", false, false)).contains(QemuErrors.busy("a"));
    }

    @Test
    void aReadonlyBitmapIsRefusedOnlyWhenReadonlyMatters() {
        DirtyBitmap b = bitmap();
        b.setReadonly(true);
        BlockNode n = nodeWith("a", b);
        assertThat(n.check("a", true, false)).contains(QemuErrors.readonly("a"));
        assertThat(n.check("a", false, true)).isEmpty();
    }

    @Test
    void anInconsistentBitmapIsRefusedOnlyWhenInconsistencyMatters() {
        DirtyBitmap b = bitmap();
        b.setInconsistent(true);
        BlockNode n = nodeWith("a", b);
        assertThat(n.check("a", false, true)).contains(QemuErrors.inconsistent("a"));
        assertThat(n.check("a", true, false)).isEmpty();
    }

    @Test
    void aPlainBitmapPassesEveryCheck() {
        assertThat(nodeWith("a", bitmap()).check("a", true, true)).isEqualTo(Optional.empty());
    }

    @Test
    void oneReadonlyBitmapAmongOthersMakesTheNodeReadonlyForWrites() {
        BlockNode n = nodeWith("a", bitmap());
        n.bitmaps().put("b", bitmap());
        assertThat(n.anyReadonly()).isFalse();
        n.bitmap("b").setReadonly(true);
        assertThat(n.anyReadonly()).isTrue();
    }
}
