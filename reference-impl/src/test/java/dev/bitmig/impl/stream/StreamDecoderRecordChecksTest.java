package dev.bitmig.impl.stream;

import static dev.bitmig.impl.stream.StreamDecoderTest.NODES;
import static dev.bitmig.impl.stream.StreamDecoderTest.rejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bitmig.impl.stream.StreamDecoderTest.Builder;
import dev.bitmig.impl.stream.StreamFormatException.Kind;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The decoder's checks of single records, each with its own reason and offset (migration/block-dirty-bitmap.c
 * dirty_bitmap_load_header, dirty_bitmap_load_bits). Offsets: a START for "drive0"/"b" is 15 bytes long.
 */
class StreamDecoderRecordChecksTest {
    /** One chunk of a 64 KiB-granularity bitmap: 8192 granules, 2^20 sectors, 1024 bytes of buffer. */
    private static final long CHUNK_SECTORS = 1L << 20;
    private static final long CHUNK_BYTES = 1024;

    private static Builder started() {
        return new Builder().start("drive0", "b", 65536, 0);
    }

    @Test
    void multiByteFlagsAreRejectedForWhatTheyAre() {
        StreamFormatException e = rejects(new byte[] {(byte) 0x90}, NODES);
        assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_FLAGS);
        assertThat(e.getMessage()).contains("multi-byte flags");
    }

    @Test
    void aNodeNameWithoutABitmapNameIsRejected() {
        Builder b = new Builder();
        b.w.u8(0x10 | 0x08).countedString("drive0");
        StreamFormatException e = rejects(b.build(), NODES);
        assertThat(e.kind()).isEqualTo(Kind.MISSING_NAME);
        assertThat(e.getMessage()).contains("the node changes but no bitmap name follows");
    }

    @Test
    void aBitmapNameBeforeAnyNodeNameIsRejected() {
        Builder b = new Builder();
        b.w.u8(0x10 | 0x04).countedString("b").be32(65536).u8(0);
        StreamFormatException e = rejects(b.build(), NODES);
        assertThat(e.kind()).isEqualTo(Kind.MISSING_NAME);
        assertThat(e.getMessage()).contains("a bitmap name arrives before any node name");
    }

    @Test
    void anEmptyNameIsABadName() {
        StreamFormatException e = rejects(new Builder().start("", "b", 65536, 0).build(), NODES);
        assertThat(e.kind()).isEqualTo(Kind.BAD_NAME);
        assertThat(e.offset()).isEqualTo(1);
    }

    @Test
    void reservedStartFlagsArePointedAtExactly() {
        // flags(1) + "drive0"(7) + "b"(2) = 10, then the be32 granularity: the START flags byte is at 14.
        StreamFormatException e = rejects(new Builder().start("drive0", "b", 65536, 0x08).build(), NODES);
        assertThat(e.offset()).isEqualTo(14);
    }

    @Test
    void anEmptyChunkIsPointedAtItsSectorCount() {
        // BITS flags at 15, the be64 start sector at 16, the be32 sector count at 24.
        StreamFormatException e = rejects(started().bitsHeader(0x02, 0, 0).build(), NODES);
        assertThat(e.kind()).isEqualTo(Kind.BAD_CHUNK);
        assertThat(e.offset()).isEqualTo(24);
    }

    @Test
    void aChunkStartThatWouldOverflowInBytesIsOutOfRangeAndTheLargestOtherIsOutsideTheBitmap() {
        long largest = (Long.MAX_VALUE >>> StreamFormat.SECTOR_BITS) - CHUNK_SECTORS;
        StreamFormatException outside = rejects(started().bitsHeader(0x02, largest, CHUNK_SECTORS).build(), NODES);
        assertThat(outside.kind()).isEqualTo(Kind.BAD_CHUNK);
        assertThat(outside.getMessage()).contains("does not fit");
        for (long start : new long[] {largest + 1, -1}) {
            StreamFormatException e = rejects(started().bitsHeader(0x02, start, CHUNK_SECTORS).build(), NODES);
            assertThat(e.kind()).isEqualTo(Kind.BAD_CHUNK);
            assertThat(e.getMessage()).as("start %d", start).contains("is out of range");
        }
    }

    @Test
    void buffersFromEmptyToTheLimitThatDoNotMatchTheChunkAreGranularityMismatches() {
        for (long size : new long[] {0, CHUNK_BYTES - 8, CHUNK_BYTES + 32, StreamFormat.MAX_BUFFER_SIZE}) {
            Builder b = started().bitsHeader(0, 0, CHUNK_SECTORS);
            b.w.be64(size).bytes(new byte[(int) size]);
            StreamFormatException e = rejects(b.build(), NODES);
            assertThat(e.kind()).as("buffer of %d bytes", size).isEqualTo(Kind.GRANULARITY_MISMATCH);
            assertThat(e.offset()).isEqualTo(28);
        }
    }

    @Test
    void aZeroesChunkClearsWhatAnEarlierChunkSet() throws Exception {
        Builder b = started().bitsHeader(0, 0, CHUNK_SECTORS);
        byte[] ones = new byte[(int) CHUNK_BYTES];
        Arrays.fill(ones, (byte) 0xFF);
        b.w.be64(CHUNK_BYTES).bytes(ones);
        b.bitsHeader(0x02, 0, CHUNK_SECTORS);
        b.w.u8(0x20).u8(0x01);
        StreamDecoder decoder = new StreamDecoder(NODES);
        List<StreamEvent> events = decoder.decode(b.build());
        assertThat(events).map(e -> e.getClass().getSimpleName())
                .containsExactly("Start", "Bits", "Bits", "Complete", "EndOfSection");
        assertThat(decoder.events()).isEqualTo(events);
        assertThat(decoder.bitmaps().get(new BitmapId("drive0", "b")).bits().isEmpty()).isTrue();
    }

    @Test
    void aNodeOfNegativeSizeIsRefusedAndAnEmptyOneAccepted() {
        assertThatThrownBy(() -> new StreamDecoder(Map.of("drive0", -1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative size");
        assertThat(new StreamDecoder(Map.of("drive0", 0L)).sectionsEnded()).isZero();
    }

    @Test
    void onlyTheMismatchAndUnknownNamesCancelJustTheBitmapMigration() {
        // QEMU's "relax error handling in incoming part" only covers these three.
        for (Kind k : Kind.values()) {
            assertThat(k.cancelsBitmapMigrationOnly()).as(k.name())
                    .isEqualTo(k == Kind.GRANULARITY_MISMATCH || k == Kind.UNKNOWN_NODE || k == Kind.UNKNOWN_BITMAP);
        }
    }
}
