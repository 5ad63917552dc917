package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** What {@link Qcow2Image#create} accepts and what it writes, in which order. */
class Qcow2CreateTest {

    @Test
    void clusterBitsMustLieIn9To21() throws Exception {
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), 1 << 20, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("cluster_bits 8 out of range 9..21");
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), 1 << 20, 22))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("cluster_bits 22 out of range 9..21");
        try (Qcow2Image img = Qcow2Image.create(new MemoryWriteLayer(), 1 << 20, 9)) {
            assertThat(img.clusterSize()).isEqualTo(512);
            assertThat(img.clusterBits()).isEqualTo(9);
        }
    }

    @Test
    void theDiskSizeMustLieIn0To2To62() {
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), -1, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("disk size -1 out of range");
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), (1L << 62) + 1, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("disk size 4611686018427387905 out of range");
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), 1L << 62, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("disk size 4611686018427387904 too large for cluster size 65536");
    }

    @Test
    void theDiskSizeMustBeWholeSectorsAsQemuSeesIt() throws Exception {
        // found by the differential test: QEMU read the bitmaps of a 67109059-byte disk as 131072 sectors and
        // refused their table size ("Could not read bitmap")
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), 67109059, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("disk size 67109059 is not a multiple of 512 bytes (qemu-img create would round it up to"
                        + " 67109376)");
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), 1, 9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("disk size 1 is not");
        try (Qcow2Image img = Qcow2Image.create(new MemoryWriteLayer(), 512, 9)) {
            assertThat(img.diskSize()).isEqualTo(512);
        }
    }

    @Test
    void withSmallClustersAllMetadataMustFitInTheClustersOfOneRefcountBlock() throws Exception {
        // 512-byte clusters: one refcount block counts 256 clusters; header, refcount table and block leave 253 for
        // the L1 table, 253 * 64 entries of 32 KiB each
        long largest = 253L * 64 * 32768;
        try (Qcow2Image img = Qcow2Image.create(new MemoryWriteLayer(), largest, 9)) {
            assertThat(img.diskSize()).isEqualTo(largest);
            assertThat(img.allocatedButUnreferenced()).isEmpty();
        }
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), largest + 1, 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("disk size " + (largest + 1) + " too large for cluster size 512");
    }

    @Test
    void theL1TableMayTakeUpTo32Mib() throws Exception {
        // 2 MiB clusters: one L1 entry maps 2^39 bytes, 2^22 entries (32 MiB) map 2^61 bytes
        try (Qcow2Image img = Qcow2Image.create(new MemoryWriteLayer(), 1L << 61, 21)) {
            assertThat(img.diskSize()).isEqualTo(1L << 61);
        }
        assertThatThrownBy(() -> Qcow2Image.create(new MemoryWriteLayer(), (1L << 61) + 1, 21))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("disk size 2305843009213693953 too large for cluster size 2097152");
    }

    @Test
    void aZeroSizeDiskGetsNoL1TableAndTheHeaderIsWrittenLastAndFlushed() throws Exception {
        LoggingWriteLayer layer = new LoggingWriteLayer();
        try (Qcow2Image img = Qcow2Image.create(layer, 0, 16)) {
            assertThat(img.bitmaps()).isEmpty();
        }
        assertThat(layer.log()).containsExactly("write 0x20000+65536", "write 0x10000+65536", "write 0x0+65536",
                "flush", "close");
        ByteBuffer h = ByteBuffer.wrap(layer.toByteArray());
        assertThat(h.getInt(36)).as("l1_size").isZero();
        assertThat(h.getLong(40)).as("l1_table_offset").isZero();
        assertThat(layer.toByteArray()).hasSize(3 << 16);
    }

    @Test
    void aOneGibibyteDiskGetsAZeroedL1TableBeforeTheHeader() throws Exception {
        LoggingWriteLayer layer = new LoggingWriteLayer();
        Qcow2Image.create(layer, 1L << 30, 16);
        assertThat(layer.log()).containsExactly("write 0x20000+65536", "write 0x10000+65536", "write 0x30000+65536",
                "write 0x0+65536", "flush");
        assertThat(ByteBuffer.wrap(layer.toByteArray()).getLong(40)).isEqualTo(0x30000);
    }
}
