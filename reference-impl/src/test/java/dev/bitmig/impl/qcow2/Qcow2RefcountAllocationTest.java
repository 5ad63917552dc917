package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Cluster allocation through the refcounts: first fit, a new refcount block when the allocation leaves the
 * clusters the existing blocks cover, and the refusals when no cluster is left.
 */
class Qcow2RefcountAllocationTest {

    static final int CS = 1 << 16;

    static Qcow2Bitmap bitmap(String name, int granularityBits, int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return new Qcow2Bitmap(name, granularityBits, true, b);
    }

    @Test
    void freedClustersAreReusedFirstFit() throws IOException {
        // a: data 4, table 5; b: data 6, table 7; directory 8
        MemoryWriteLayer mem = new MemoryWriteLayer(CraftedImage.withBitmaps(1L << 30, 16, bitmap("a", 16, 1),
                bitmap("b", 16, 2)));
        try (Qcow2Image img = Qcow2Image.open(mem)) {
            assertThat(img.directoryOffset()).isEqualTo(8L * CS);
            img.removeBitmap("a"); // new directory at 9, then 4, 5 and 8 are freed
            assertThat(img.directoryOffset()).isEqualTo(9L * CS);
            img.storeBitmaps(List.of(bitmap("c", 16, 3)), Set.of());
            assertThat(img.table("c")).containsExactly(4L * CS);
            assertThat(img.bitmap("c").orElseThrow().tableOffset()).isEqualTo(5L * CS);
            assertThat(img.directoryOffset()).isEqualTo(8L * CS);
            assertThat(img.readBitmap("c").bits()).isEqualTo(bitmap("c", 16, 3).bits());
            assertThat(img.readBitmap("b").bits()).isEqualTo(bitmap("b", 16, 2).bits());
            assertThat(img.allocatedButUnreferenced()).isEmpty();
            assertThat(img.referencedButUnallocated()).isEmpty();
        }
    }

    /**
     * 512-byte clusters: one refcount block counts 256 clusters. A 256 MiB disk has its L1 table in clusters 3 to
     * 130; a bitmap at 512-byte granularity with one bit in each of its 128 data clusters fills clusters 131 to 255
     * and needs more.
     */
    static Qcow2Bitmap spread() {
        BitSet b = new BitSet();
        for (int i = 0; i < 128; i++) {
            b.set(i * 4096 + i);
        }
        return new Qcow2Bitmap("a", 9, true, b);
    }

    @Test
    void anAllocationBeyondTheFirstRefcountBlockAddsABlockInTheFirstFreeClusterOfItsRange() throws IOException {
        byte[] fresh = CraftedImage.withBitmaps(256L << 20, 9);
        LoggingWriteLayer layer = new LoggingWriteLayer(fresh);
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            img.storeBitmaps(List.of(spread()), Set.of());
        }
        // cluster 256 is the first of the new block's range and goes to the data; the block takes 257
        ByteBuffer b = ByteBuffer.wrap(layer.toByteArray());
        assertThat(b.getLong(512 + 8)).as("refcount table entry 1").isEqualTo(257L * 512);
        // both blocks are written before the refcount table, with a flush between
        assertThat(layer.log().subList(0, 4)).containsExactly("write 0x400+512", "write 0x20200+512", "flush",
                "write 0x200+512");
        try (Qcow2Image img = CraftedImage.open(layer.toByteArray())) {
            assertThat(img.readBitmap("a").bits()).isEqualTo(spread().bits());
            assertThat(img.table("a")).hasSize(128).doesNotContain(0L, 257L * 512);
            assertThat(img.referencedButUnallocated()).isEmpty();
            assertThat(img.allocatedButUnreferenced()).isEmpty();
        }
    }

    @Test
    void removingABitmapWithATwoClusterTableFreesEveryCluster() throws IOException {
        MemoryWriteLayer mem = new MemoryWriteLayer(CraftedImage.withBitmaps(256L << 20, 9, spread()));
        try (Qcow2Image img = Qcow2Image.open(mem)) {
            assertThat(img.bitmap("a").orElseThrow().tableSize()).isEqualTo(128);
            img.removeBitmap("a");
            assertThat(img.allocatedButUnreferenced()).isEmpty();
            assertThat(img.referencedButUnallocated()).isEmpty();
        }
    }

    @Test
    void droppingTheExtensionLeaksExactlyTheBitmapClustersInBothRefcountBlocks() throws IOException {
        // block/qcow2.c leaks the clusters when it drops an inconsistent extension; qemu-img check reports them
        MemoryWriteLayer mem = new MemoryWriteLayer(CraftedImage.withBitmaps(256L << 20, 9, spread()));
        try (Qcow2Image img = Qcow2Image.open(mem)) {
            List<Long> expected = new ArrayList<>();
            for (long v : img.table("a")) {
                expected.add(v);
            }
            long table = img.bitmap("a").orElseThrow().tableOffset();
            expected.add(table);
            expected.add(table + 512);
            expected.add(img.directoryOffset());
            expected.sort(null);
            img.dropBitmapsExtension();
            assertThat(img.allocatedButUnreferenced()).isEqualTo(expected);
            assertThat(img.referencedButUnallocated()).isEmpty();
        }
    }

    @Test
    void aNewRefcountBlockNeedsAFreeClusterInItsOwnRange() throws IOException {
        // clusters 0-255 counted as used, the L1 table moved to clusters 257-511: only 256 is free in block 1's range
        byte[] small = CraftedImage.withBitmaps(1 << 20, 9);
        byte[] img = CraftedImage.resized(small, 512 * 512);
        ByteBuffer b = ByteBuffer.wrap(img);
        long block0 = b.getLong((int) b.getLong(48));
        for (int k = 0; k < 256; k++) {
            b.putShort((int) block0 + 2 * k, (short) 1);
        }
        b.putInt(36, 255 * 64).putLong(40, 257L * 512);
        try (Qcow2Image opened = CraftedImage.open(img)) {
            assertThatThrownBy(() -> opened.storeBitmaps(List.of(bitmap("a", 16)), Set.of()))
                    .isInstanceOf(IOException.class).hasMessage("no room for a new refcount block");
        }
    }

    @Test
    void freeingAClusterWhoseRefcountIsAlreadyZeroIsRefused() throws IOException {
        // bitmap a: data cluster 4, its refcount (16 bits at 0x20000 + 2 * 4) set to 0
        byte[] img = CraftedImage.edited(CraftedImage.withBitmaps(1L << 30, 16, bitmap("a", 16, 1)),
                b -> b.putShort(0x20000 + 8, (short) 0));
        try (Qcow2Image opened = CraftedImage.open(img)) {
            assertThat(opened.referencedButUnallocated()).containsExactly(4L * CS);
            assertThatThrownBy(() -> opened.removeBitmap("a")).isInstanceOf(IOException.class)
                    .hasMessage("refcount of cluster 0x40000 would drop below 0");
        }
    }
}
