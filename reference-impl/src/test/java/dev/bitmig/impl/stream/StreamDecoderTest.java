package dev.bitmig.impl.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.stream.StreamFormatException.Kind;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamDecoderTest {
    static final long DISK = 1L << 30; // 1 GiB
    static final Map<String, Long> NODES = Map.of("drive0", DISK);

    static MigratingBitmap sample() {
        HBitmap bits = HBitmap.create(DISK, 16); // 16384 granules: two chunks
        bits.set(0, 1);
        bits.set(DISK - 1, 1);
        return MigratingBitmap.of("drive0", "b0", true, true, bits);
    }

    static StreamFormatException rejects(byte[] stream, Map<String, Long> nodes) {
        StreamDecoder decoder = new StreamDecoder(nodes);
        return catchThrowableOfType(StreamFormatException.class, () -> decoder.decode(stream));
    }

    /** Hand-written records. */
    static final class Builder {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final RecordWriter w = new RecordWriter(bytes);

        Builder start(String node, String name, long granularity, int flags) {
            w.u8(0x10 | 0x08 | 0x04).countedString(node).countedString(name).be32(granularity).u8(flags);
            return this;
        }

        Builder bitsHeader(int extraFlags, long sector, long nr) {
            w.u8(0x40 | extraFlags).be64(sector).be32(nr);
            return this;
        }

        byte[] build() {
            return bytes.toByteArray();
        }
    }

    @Test
    void aValidStreamDecodesIntoEventsAndBitmaps() throws Exception {
        MigratingBitmap b = sample();
        StreamDecoder decoder = new StreamDecoder(NODES);
        List<StreamEvent> events = decoder.decode(StreamEncoder.encode(List.of(b)));
        assertThat(events).map(e -> e.getClass().getSimpleName())
                .containsExactly("Start", "EndOfSection", "Bits", "Bits", "Complete", "EndOfSection");
        assertThat(events.get(0).offset()).isZero();
        DecodedBitmap d = decoder.bitmaps().get(b.id());
        assertThat(d.complete()).isTrue();
        assertThat(d.bits().sameBits(b.bits())).isTrue();
    }

    @Test
    void everyTruncationOfAValidStreamIsReported() {
        byte[] stream = StreamEncoder.encode(List.of(sample()));
        int setupLength = new StreamEncoder(List.of(sample())).setupSection().length;
        for (int cut = 1; cut < stream.length; cut++) {
            byte[] prefix = Arrays.copyOf(stream, cut);
            StreamFormatException e = rejects(prefix, NODES);
            if (cut == setupLength) {
                assertThat(e).as("the setup section alone is complete").isNull();
                continue;
            }
            assertThat(e).as("cut at %d", cut).isNotNull();
            assertThat(e.kind()).as("cut at %d", cut).isEqualTo(Kind.TRUNCATED);
            assertThat(e.offset()).isLessThanOrEqualTo(cut);
        }
    }

    @Test
    void unknownRecordFlagsAreRejectedWithTheirOffset() {
        byte[] setup = new StreamEncoder(List.of(sample())).setupSection();
        for (int bad : new int[] {0x80, 0x00, 0x03, 0x11, 0x30, 0x12, 0x09}) {
            byte[] stream = Arrays.copyOf(setup, setup.length + 1);
            stream[setup.length - 1] = (byte) bad; // replaces the EOS
            stream[setup.length] = 0x01;
            StreamFormatException e = rejects(stream, NODES);
            assertThat(e.kind()).as("flags 0x%02x", bad).isIn(Kind.UNKNOWN_FLAGS, Kind.MISSING_NAME);
            assertThat(e.offset()).isEqualTo(setup.length - 1);
        }
    }

    @Test
    void reservedStartFlagsAreRejectedButTheOldAutoloadFlagIsIgnored() throws Exception {
        byte[] bad = new Builder().start("drive0", "b", 65536, 0x08).build();
        assertThat(rejects(bad, NODES).kind()).isEqualTo(Kind.UNKNOWN_FLAGS);
        Builder ok = new Builder().start("drive0", "b", 65536, 0x04 | 0x01);
        ok.w.u8(0x01);
        StreamDecoder decoder = new StreamDecoder(NODES);
        decoder.decode(ok.build());
        assertThat(decoder.bitmaps().get(new BitmapId("drive0", "b")).enabled()).isTrue();
    }

    @Test
    void anOversizedBufferIsRejectedBeforeAnyAllocation() {
        Builder b = new Builder().start("drive0", "b", 65536, 0).bitsHeader(0, 0, 8192L * 128);
        b.w.be64(Long.MAX_VALUE);
        StreamFormatException e = rejects(b.build(), NODES);
        assertThat(e.kind()).isEqualTo(Kind.BUFFER_TOO_LARGE);
        assertThat(e.offset()).isEqualTo(b.build().length - 8);
        Builder justOver = new Builder().start("drive0", "b", 65536, 0).bitsHeader(0, 0, 8192L * 128);
        justOver.w.be64(10 * 1024 + 1);
        assertThat(rejects(justOver.build(), NODES).kind()).isEqualTo(Kind.BUFFER_TOO_LARGE);
    }

    @Test
    void aBufferThatDoesNotFitTheChunkIsAGranularityMismatch() {
        // The chunk of 2^20 sectors at 64 KiB granularity needs 1024 bytes; 512 are announced.
        Builder b = new Builder().start("drive0", "b0", 65536, 0).bitsHeader(0, 0, 8192L * 128);
        b.w.be64(512).bytes(new byte[512]);
        StreamFormatException e = rejects(b.build(), NODES);
        assertThat(e.kind()).isEqualTo(Kind.GRANULARITY_MISMATCH);
        assertThat(e.kind().cancelsBitmapMigrationOnly()).isTrue();
        assertThat(e.getMessage())
                .contains("Migrated bitmap granularity doesn't match the destination bitmap 'b0' granularity");
    }

    @Test
    void dataForABitmapThatWasNeverStartedIsRejected() {
        Builder b = new Builder();
        b.w.u8(0x40 | 0x02 | 0x08 | 0x04).countedString("drive0").countedString("ghost").be64(0).be32(128);
        StreamFormatException e = rejects(b.build(), NODES);
        assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_BITMAP);
        assertThat(e.getMessage()).contains("ghost");
        assertThat(e.offset()).isZero();
    }

    @Test
    void anUnknownNodeIsRejected() {
        byte[] stream = new Builder().start("nowhere", "b", 65536, 0).build();
        StreamFormatException e = rejects(stream, NODES);
        assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_NODE);
        assertThat(e.offset()).isEqualTo(1);
    }

    @Test
    void aSecondStartOfTheSameBitmapIsRejected() {
        Builder b = new Builder().start("drive0", "b", 65536, 0).start("drive0", "b", 65536, 0);
        assertThat(rejects(b.build(), NODES).kind()).isEqualTo(Kind.DUPLICATE_BITMAP);
    }

    @Test
    void aBadGranularityIsRejected() {
        assertThat(rejects(new Builder().start("drive0", "b", 256, 0).build(), NODES).kind())
                .isEqualTo(Kind.BAD_GRANULARITY);
        assertThat(rejects(new Builder().start("drive0", "b", 65537, 0).build(), NODES).kind())
                .isEqualTo(Kind.BAD_GRANULARITY);
    }

    @Test
    void misalignedEmptyOrOutOfRangeChunksAreRejected() {
        long[][] chunks = {{1, 128}, {0, 0}, {0, 129}, {(DISK >> 9) - 128, 256}, {-1, 128}};
        for (long[] c : chunks) {
            Builder b = new Builder().start("drive0", "b", 65536, 0).bitsHeader(0x02, c[0], c[1]);
            StreamFormatException e = rejects(b.build(), NODES);
            assertThat(e).as("chunk %s", Arrays.toString(c)).isNotNull();
            assertThat(e.kind()).as("chunk %s", Arrays.toString(c)).isEqualTo(Kind.BAD_CHUNK);
        }
    }

    @Test
    void recordsBeforeAnyNameAreRejected() {
        assertThat(rejects(new byte[] {0x20, 0x01}, NODES).kind()).isEqualTo(Kind.MISSING_NAME);
    }

    @Test
    void bitsAfterCompleteAreRejected() {
        Builder b = new Builder().start("drive0", "b", 65536, 0);
        b.w.u8(0x20);
        b.bitsHeader(0x02, 0, 128);
        assertThat(rejects(b.build(), NODES).kind()).isEqualTo(Kind.BITMAP_ALREADY_COMPLETE);
    }

    @Test
    void aDecoderThatRejectedItsInputRefusesMore() {
        StreamDecoder decoder = new StreamDecoder(NODES);
        assertThatThrownBy(() -> decoder.decode(new byte[] {(byte) 0x80})).isInstanceOf(StreamFormatException.class);
        assertThatThrownBy(() -> decoder.decode(new byte[] {0x01})).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void offsetsCountAcrossSections() throws Exception {
        MigratingBitmap b = sample();
        StreamEncoder encoder = new StreamEncoder(List.of(b));
        byte[] setup = encoder.setupSection();
        byte[] completion = encoder.completionSection();
        StreamDecoder decoder = new StreamDecoder(NODES);
        decoder.decode(setup);
        List<StreamEvent> second = decoder.decode(completion);
        assertThat(second.get(0).offset()).isEqualTo(setup.length);
        assertThat(decoder.bytesConsumed()).isEqualTo(setup.length + completion.length);
    }
}
