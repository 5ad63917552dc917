package dev.bitmig.impl.hbitmap;

import static dev.bitmig.impl.hbitmap.HBitmapTest.L1;
import static dev.bitmig.impl.hbitmap.HBitmapTest.L2;
import static dev.bitmig.impl.hbitmap.HBitmapTest.L3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HBitmap's serialization (the migration stream's and qcow2's bit layout) and its SHA-256, as QEMU computes them. */
class HBitmapSerializationTest {
    // ---------------------------------------------------------------------------------------------- serialization

    @Test
    void serializationAlignmentIs64GranulesInItems() {
        assertThat(HBitmap.create(L2, 3).serializationAlign()).isEqualTo(64L << 3);
        assertThat(HBitmap.create(L2, 0).serializationAlign()).isEqualTo(64L);
    }

    @Test
    void everyAlignedChunkSurvivesASerializationRoundTrip() {
        int gran = 1;
        long size = L2 + 100;
        long align = 64L << gran;
        long[] positions = {0, 1, L1 - 1, L1, L1 + 1, 2 * L1 + 7, L2 - 1, L2, L2 + 99};
        for (long pos : positions) {
            for (long cnt : new long[] {1, 2, L1, L2 / 2, size}) {
                if (pos + cnt > size) {
                    continue;
                }
                HBitmap src = HBitmap.create(size, gran);
                src.set(pos, cnt);
                for (long start = 0; start < size; start += align * 3) {
                    long count = Math.min(align * 3, size - start);
                    long bytes = src.serializationSize(start, count);
                    assertThat(bytes).isEqualTo(((count + align - 1) / align) * 8);
                    byte[] buf = new byte[(int) bytes];
                    src.serializePart(buf, start, count);
                    // Decode the little-endian words by hand and compare bit by bit.
                    for (long g = start >> gran; g < Math.min((start + count + (1L << gran) - 1) >> gran,
                            src.sizeInGranules()); g++) {
                        long rel = g - (start >> gran);
                        boolean bit = (buf[(int) (rel / 8)] >> (rel % 8) & 1) != 0;
                        assertThat(bit).isEqualTo(src.get(g << gran));
                    }
                }
                HBitmap dst = HBitmap.create(size, gran);
                for (long start = 0; start < size; start += align * 3) {
                    long count = Math.min(align * 3, size - start);
                    byte[] buf = new byte[(int) src.serializationSize(start, count)];
                    src.serializePart(buf, start, count);
                    dst.deserializePart(buf, start, count, false);
                }
                dst.deserializeFinish();
                assertThat(dst.sameBits(src)).as("pos %d count %d", pos, cnt).isTrue();
                assertThat(dst.count()).isEqualTo(src.count());
                assertThat(ShadowBitmap.iterate(dst, 0)).isEqualTo(ShadowBitmap.iterate(src, 0));
            }
        }
    }

    @Test
    void chunkedSerializationReproducesExactlyTheSetPositions() {
        long size = L3;
        HBitmap hb = HBitmap.create(size, 0);
        long[] set = {0, 1, L1 + 2, L2 - 1, L2, L2 * 3 + 17, L3 - 1};
        for (long pos : set) {
            hb.set(pos, 1);
        }
        List<Long> found = new ArrayList<>();
        for (long start = 0; start < size; start += L2) {
            byte[] buf = new byte[(int) hb.serializationSize(start, L2)];
            assertThat(buf).hasSize((int) (L2 / 8));
            hb.serializePart(buf, start, L2);
            for (int i = 0; i < buf.length * 8; i++) {
                if ((buf[i / 8] >> (i % 8) & 1) != 0) {
                    found.add(start + i);
                }
            }
        }
        assertThat(found).containsExactly(0L, 1L, L1 + 2, L2 - 1, L2, L2 * 3 + 17, L3 - 1);
    }

    @Test
    void deserializingZeroesClearsRangesAndIterationFindsTheRest() {
        HBitmap hb = HBitmap.create(L2 * 4, 0);
        hb.set(0, L2 * 4);
        hb.deserializeZeroes(0, L2, true);
        assertThat(hb.iterator(0).next()).isEqualTo(L2);
        assertThat(hb.count()).isEqualTo(L2 * 3);
        hb.deserializeZeroes(L2, L2 * 2, true);
        assertThat(hb.iterator(0).next()).isEqualTo(L2 * 3);
        hb.deserializeZeroes(L2 * 3, L2, true);
        assertThat(hb.isEmpty()).isTrue();
        assertThat(hb.iterator(0).next()).isEqualTo(-1);
    }

    @Test
    void deserializingOnesSetsWholeWordsButNothingPastTheEnd() {
        HBitmap hb = HBitmap.create(L1 * 2 + 10, 0);
        hb.deserializeOnes(L1, L1 + 10, true);
        assertThat(hb.count()).isEqualTo(L1 + 10);
        assertThat(hb.nextDirty(0, Long.MAX_VALUE)).isEqualTo(L1);
    }

    @Test
    void misalignedSerializationChunksAreRejected() {
        HBitmap hb = HBitmap.create(L2 + 10, 0);
        assertThatThrownBy(() -> hb.serializationSize(1, 64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not aligned");
        assertThatThrownBy(() -> hb.serializationSize(0, 65)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not end at the bitmap end");
        assertThatThrownBy(() -> hb.serializationSize(L2, 11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("past the end");
        assertThat(hb.serializationSize(L2, 10)).isEqualTo(8);
        assertThat(hb.serializationSize(0, 0)).isZero();
        assertThatThrownBy(() -> hb.serializePart(new byte[7], L2, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serializationIsUndefinedForGranularitiesAbove57() {
        assertThat(HBitmap.create(1, 57).isSerializable()).isTrue();
        assertThatThrownBy(() -> HBitmap.create(1, 58).serializationAlign()).isInstanceOf(IllegalStateException.class);
    }

    // ---------------------------------------------------------------------------------------------- sha256

    /**
     * Vector: 256 items at granularity 0 with items 0 and 65 dirty. The last level is four 64-bit words
     * [1, 2, 0, 0] (item 65 is bit 1 of word 1). QEMU hashes those words as they lie in memory on a little-endian
     * host: 32 bytes, 01 then seven 00, 02 then seven 00, then sixteen 00.
     */
    @Test
    void sha256HashesTheLittleEndianBytesOfTheLastLevel() throws Exception {
        byte[] layout = new byte[32];
        layout[0] = 0x01;
        layout[8] = 0x02;
        byte[] expected = java.security.MessageDigest.getInstance("SHA-256").digest(layout);

        HBitmap hb = HBitmap.create(256, 0);
        hb.set(0, 1);
        hb.set(65, 1);
        assertThat(hb.sha256()).isEqualTo(expected);
        assertThat(hb.sha256Hex())
                .isEqualTo("949565286ab35f0755e981f3cd8946e0733c8919e5038bae6d5a126cf3e30cc4");
    }

    @Test
    void sha256OfAnEmptyBitmapCoversOneZeroWord() {
        // QEMU allocates at least one word per level, and hashes that word.
        assertThat(HBitmap.create(0, 0).sha256Hex())
                .isEqualTo("af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc");
    }

    @Test
    void sha256DependsOnTheBitsOnly() {
        HBitmap a = HBitmap.fromGranules(L3, 0, 1, L2 + 5);
        HBitmap b = HBitmap.create(L3, 0);
        b.set(0, L2 * 2);
        b.reset(0, L2 * 2);
        b.set(1, 1);
        b.set(L2 + 5, 1);
        assertThat(a.sha256Hex()).isEqualTo(b.sha256Hex());
        b.set(2, 1);
        assertThat(a.sha256Hex()).isNotEqualTo(b.sha256Hex());
    }
}
