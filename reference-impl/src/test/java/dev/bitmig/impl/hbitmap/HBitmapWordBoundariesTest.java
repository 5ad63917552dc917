package dev.bitmig.impl.hbitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Partial last words, page boundaries and distinct merge results, where off-by-one errors would show. */
class HBitmapWordBoundariesTest {

    private static byte[] ones(int bytes) {
        byte[] b = new byte[bytes];
        Arrays.fill(b, (byte) 0xFF);
        return b;
    }

    @Test
    void deserializedBitsPastTheEndOfAPartialLastWordAreDropped() {
        // 63 granules fill all but the top bit of the only word; 100 granules use 36 bits of the second word.
        HBitmap h63 = HBitmap.create(63, 0);
        h63.deserializePart(ones(8), 0, 63, true);
        assertThat(h63.countGranules()).isEqualTo(63);
        assertThat(h63.dirtyGranules()).hasSize(63).endsWith(62);
        byte[] word = new byte[8];
        h63.serializePart(word, 0, 63);
        assertThat(word[7]).isEqualTo((byte) 0x7F);
        HBitmap h100 = HBitmap.create(100, 0);
        h100.deserializePart(ones(16), 0, 100, true);
        assertThat(h100.countGranules()).isEqualTo(100);
        byte[] back = new byte[16];
        h100.serializePart(back, 0, 100);
        assertThat(Arrays.copyOfRange(back, 8, 16)).containsExactly(-1, -1, -1, -1, 0x0F, 0, 0, 0);
    }

    @Test
    void aFullLastWordIsDeserializedWhole() {
        HBitmap h64 = HBitmap.create(64, 0);
        h64.deserializePart(ones(8), 0, 64, true);
        assertThat(h64.countGranules()).isEqualTo(64);
    }

    @Test
    void aCopyOfABitmapThatNeverAllocatedIsEmptyAndIndependent() {
        HBitmap empty = HBitmap.create(1L << 20, 0);
        HBitmap copy = empty.copy();
        copy.set(5, 1);
        assertThat(copy.dirtyGranules()).containsExactly(5);
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.allocatedPages()).isZero();
    }

    @Test
    void growingAcrossAPageBoundaryExtendsThePartialPage() {
        // 1023 last-level words: one page one word short. Growing to 2048 words must make word 1023 writable.
        HBitmap hb = HBitmap.create(1023 * 64, 0);
        hb.set(0, 1);
        hb.truncate(2048 * 64);
        hb.set(1023 * 64, 1);
        assertThat(hb.dirtyGranules()).containsExactly(0, 1023 * 64);
    }

    @Test
    void theDigestHashesAnAbsentPageAsZeroesEvenAfterAPresentOne() throws Exception {
        // 1500 words: a full first page with granules 0 and 6403 (word 100, bit 3) set, and a partial second page
        // of 476 words that was never written.
        HBitmap hb = HBitmap.fromGranules(1500 * 64, 0, 0, 100 * 64 + 3);
        byte[] layout = new byte[1500 * 8];
        layout[0] = 1;
        layout[100 * 8] = 8;
        assertThat(hb.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(layout));
    }

    @Test
    void mergingIntoAThirdBitmapOfAnotherGranularityReplacesItsBits() {
        // hbitmap_merge(a, b, result): result = a | b, whatever result held before.
        HBitmap a = HBitmap.fromGranules(64, 0, 1);
        HBitmap b = HBitmap.fromGranules(64, 0, 40);
        HBitmap result = HBitmap.fromGranules(64, 2, 5);
        HBitmap.merge(a, b, result);
        assertThat(result.dirtyGranules()).containsExactly(0, 10);
        assertThat(a.dirtyGranules()).containsExactly(1);
        assertThat(b.dirtyGranules()).containsExactly(40);
    }
}
