package dev.bitmig.impl.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bitmig.impl.hbitmap.HBitmap;
import java.io.ByteArrayOutputStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamEncoderTest {
    static final long KIB = 1024;
    static final long TIB = 1L << 40;

    @Test
    void sectorsPerChunkCoverOneKibibyteOfBitmap() {
        // 1 KiB of bitmap = 8192 granules.
        assertThat(StreamFormat.sectorsPerChunk(512)).isEqualTo(8192);
        assertThat(StreamFormat.sectorsPerChunk(64 * KIB)).isEqualTo(8192L * 128);
        assertThat(StreamFormat.sectorsPerChunk(1L << 31)).isEqualTo(1L << 35);
    }

    @Test
    void theSetupSectionIsOneStartRecordPerBitmapThenEos() {
        HBitmap bits = HBitmap.create(1 << 20, 16);
        MigratingBitmap b = MigratingBitmap.of("drive0", "b0", true, false, bits);
        byte[] setup = new StreamEncoder(List.of(b)).setupSection();
        assertThat(setup).containsExactly(
                0x10 | 0x08 | 0x04,
                6, 'd', 'r', 'i', 'v', 'e', '0',
                2, 'b', '0',
                0x00, 0x01, 0x00, 0x00, // be32 granularity 65536
                0x01, // ENABLED
                0x01); // EOS
    }

    @Test
    void namesAreOnlySentWhenTheyChange() {
        HBitmap bits = HBitmap.create(1 << 20, 16);
        StreamEncoder encoder = new StreamEncoder(List.of(MigratingBitmap.of("drive0", "b0", false, true, bits)));
        encoder.setupSection();
        byte[] completion = encoder.completionSection();
        // One ZEROES chunk without names (same bitmap as the START before it), COMPLETE, EOS.
        assertThat(completion).containsExactly(
                0x40 | 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, // start sector 0, 2048 sectors
                0x20,
                0x01);
    }

    @Test
    void zeroChunksMakeASparseTerabyteBitmapCheap() {
        HBitmap sparse = HBitmap.create(TIB, 16);
        sparse.set(12345L << 16, 1);
        HBitmap dense = HBitmap.create(TIB, 16);
        dense.set(0, TIB);
        StreamEncoder sparseEncoder = new StreamEncoder(List.of(MigratingBitmap.of("d", "b", true, true, sparse)));
        StreamEncoder denseEncoder = new StreamEncoder(List.of(MigratingBitmap.of("d", "b", true, true, dense)));
        long sparseBytes = sparseEncoder.writeCompletion(new ByteArrayOutputStream());
        long denseBytes = denseEncoder.writeCompletion(new ByteArrayOutputStream());
        // 2^24 granules = 2 MiB of bitmap = 2048 chunks of 1 KiB.
        assertThat(sparseEncoder.bitsRecords()).isEqualTo(2048);
        assertThat(sparseEncoder.zeroesRecords()).isEqualTo(2047);
        assertThat(denseEncoder.zeroesRecords()).isZero();
        // A ZEROES record is 13 bytes, a data record 21 bytes + 1 KiB; the first record also carries the names "d"
        // and "b" (2 bytes each); then COMPLETE and EOS take one byte each.
        assertThat(sparseBytes).isEqualTo(2047 * 13 + (21 + 1024) + 4 + 1 + 1);
        assertThat(denseBytes).isGreaterThan(2048 * 1024);
        assertThat(sparseBytes * 50).isLessThan(denseBytes);
    }

    @Test
    void theChunkSizeOverflowFaultFailsClearlyInsteadOfSendingEmptyChunksForever() {
        HBitmap bits = HBitmap.create(TIB, 20); // 1 MiB granularity
        bits.set(0, 1);
        MigratingBitmap b = MigratingBitmap.of("drive0", "coarse", true, true, bits);
        assertThat(StreamFormat.sectorsPerChunk(1 << 20, EnumSet.of(StreamFault.CHUNK_SIZE_32BIT_OVERFLOW))).isZero();
        StreamEncoder faulty = new StreamEncoder(List.of(b), EnumSet.of(StreamFault.CHUNK_SIZE_32BIT_OVERFLOW));
        faulty.setupSection();
        assertThatThrownBy(faulty::completionSection)
                .isInstanceOf(StreamEncodingException.class)
                .hasMessageContaining("sectors per chunk computed as 0")
                .hasMessageContaining("coarse");
        // The correct arithmetic migrates the same bitmap.
        byte[] stream = StreamEncoder.encode(List.of(b));
        DecodedBitmap d = assertDecodes(stream, Map.of("drive0", TIB)).get(b.id());
        assertThat(d.bits().sameBits(bits)).isTrue();
    }

    @Test
    void theChunkSizeFaultIsHarmlessForFineGranularities() {
        HBitmap bits = HBitmap.create(1L << 34, 16);
        bits.set(5L << 16, 1 << 20);
        MigratingBitmap b = MigratingBitmap.of("drive0", "fine", true, true, bits);
        StreamEncoder faulty = new StreamEncoder(List.of(b), EnumSet.of(StreamFault.CHUNK_SIZE_32BIT_OVERFLOW));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        faulty.writeSetup(out);
        faulty.writeCompletion(out);
        assertThat(out.toByteArray()).isEqualTo(StreamEncoder.encode(List.of(b)));
    }

    @Test
    void aTwoGibibyteGranularityOnAHugeDiskKeepsSectorCountsWithin32Bits() throws Exception {
        long disk = 1L << 50; // 2^41 sectors, 2^19 granules
        HBitmap bits = HBitmap.create(disk, 31);
        bits.set(disk - 1, 1);
        bits.set(0, 1);
        MigratingBitmap b = MigratingBitmap.of("big", "b", false, false, bits);
        StreamEncoder encoder = new StreamEncoder(List.of(b));
        assertThat(encoder.chunkSectors(b)).isLessThanOrEqualTo(0xFFFF_FFFFL).isEqualTo(15L << 28);
        byte[] stream = StreamEncoder.encode(List.of(b));
        StreamDecoder decoder = new StreamDecoder(Map.of("big", disk));
        decoder.decode(stream);
        assertThat(decoder.bitmaps().get(b.id()).bits().sameBits(bits)).isTrue();
        assertThat(decoder.events()).filteredOn(e -> e instanceof StreamEvent.Bits)
                .allSatisfy(e -> assertThat(((StreamEvent.Bits) e).nrSectors()).isPositive());
    }

    @Test
    void invalidBitmapsAreRejectedBeforeAnythingIsWritten() {
        HBitmap bits = HBitmap.create(1 << 20, 16);
        assertThatThrownBy(() -> new MigratingBitmap("d", "b", 4096, true, true, bits, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("granularity");
        assertThatThrownBy(() -> MigratingBitmap.of("d", "x".repeat(256), true, true, bits))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
        assertThatThrownBy(() -> MigratingBitmap.of("d", "b", true, true, HBitmap.create(1 << 20, 8)))
                .isInstanceOf(IllegalArgumentException.class);
        MigratingBitmap b = MigratingBitmap.of("d", "b", true, true, bits);
        assertThatThrownBy(() -> new StreamEncoder(List.of(b, b))).isInstanceOf(IllegalArgumentException.class);
    }

    static Map<BitmapId, DecodedBitmap> assertDecodes(byte[] stream, Map<String, Long> nodes) {
        try {
            return StreamDecoder.decodeAll(stream, nodes);
        } catch (StreamFormatException e) {
            throw new AssertionError(e);
        }
    }
}
