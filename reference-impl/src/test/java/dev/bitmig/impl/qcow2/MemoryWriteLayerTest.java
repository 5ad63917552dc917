package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MemoryWriteLayerTest {

    static final byte[] TEN = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0x55);
        return b;
    }

    @Test
    void aReadAcrossTheEndGetsZerosBeyondIt() {
        MemoryWriteLayer layer = new MemoryWriteLayer(TEN);
        byte[] dst = filled(12);
        layer.read(5, dst, 1, 10);
        assertThat(dst).containsExactly(0x55, 6, 7, 8, 9, 10, 0, 0, 0, 0, 0, 0x55);
    }

    @Test
    void aReadPastTheEndGetsOnlyZeros() {
        byte[] dst = filled(4);
        new MemoryWriteLayer(TEN).read(10, dst, 0, 4);
        assertThat(dst).containsOnly(0);
    }

    @Test
    void writesExtendTheDevice() throws IOException {
        MemoryWriteLayer layer = new MemoryWriteLayer(TEN);
        layer.write(12, new byte[] {42});
        assertThat(layer.length()).isEqualTo(13);
        assertThat(layer.toByteArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 42);
        layer.write(0, new byte[] {7});
        assertThat(layer.length()).isEqualTo(13);
        assertThat(layer.toByteArray()[0]).isEqualTo((byte) 7);
    }

    @Test
    void aWriteAtANegativeOffsetIsRefused() {
        MemoryWriteLayer layer = new MemoryWriteLayer(TEN);
        assertThatThrownBy(() -> layer.write(-1, new byte[] {1})).isInstanceOf(IOException.class)
                .hasMessage("write beyond 2147483583 bytes");
        assertThat(layer.toByteArray()).isEqualTo(TEN);
    }

    @Test
    void aWritePastTheLargestDeviceIsRefusedBeforeAnythingIsAllocated() {
        MemoryWriteLayer layer = new MemoryWriteLayer();
        assertThatThrownBy(() -> layer.write(MemoryWriteLayer.MAX_LENGTH, new byte[] {1}))
                .isInstanceOf(IOException.class).hasMessage("write beyond 2147483583 bytes");
        assertThat(layer.length()).isZero();
    }
}
