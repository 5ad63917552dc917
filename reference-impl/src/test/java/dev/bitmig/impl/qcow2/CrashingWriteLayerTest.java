package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class CrashingWriteLayerTest {

    @Test
    void countsWritesBytesAndFlushesThatReachTheDevice() throws IOException {
        LoggingWriteLayer inner = new LoggingWriteLayer();
        CrashingWriteLayer layer = new CrashingWriteLayer(inner);
        layer.write(0, new byte[3]);
        layer.write(16, new byte[5]);
        layer.flush();
        layer.close();
        assertThat(layer.writes()).isEqualTo(2);
        assertThat(layer.bytesWritten()).isEqualTo(8);
        assertThat(layer.flushes()).isEqualTo(1);
        assertThat(layer.crashed()).isFalse();
        assertThat(inner.log()).containsExactly("write 0x0+3", "write 0x10+5", "flush", "close");
    }

    @Test
    void afterItsBudgetEveryWriteAndFlushIsDroppedButReadsWork() throws IOException {
        LoggingWriteLayer inner = new LoggingWriteLayer(new byte[] {1, 2, 3, 4});
        CrashingWriteLayer layer = new CrashingWriteLayer(inner).crashAfter(1);
        layer.write(0, new byte[] {9});
        assertThatThrownBy(() -> layer.write(0x20, new byte[2])).isInstanceOf(SimulatedCrash.class)
                .hasMessage("simulated crash: write 2 at offset 0x20 dropped");
        assertThat(layer.crashed()).isTrue();
        assertThatThrownBy(layer::flush).isInstanceOf(SimulatedCrash.class).hasMessage("simulated crash: flush dropped");
        assertThat(layer.read(0, 4)).containsExactly(9, 2, 3, 4);
        assertThat(layer.writes()).isEqualTo(1);
        assertThat(layer.flushes()).isZero();
        assertThat(inner.log()).containsExactly("write 0x0+1");
    }

    @Test
    void aBudgetOfZeroIsAllowedAndANegativeOneIsNot() {
        CrashingWriteLayer layer = new CrashingWriteLayer(new MemoryWriteLayer()).crashAfter(0);
        assertThatThrownBy(() -> layer.write(0, new byte[1])).isInstanceOf(SimulatedCrash.class);
        assertThatThrownBy(() -> layer.crashAfter(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("negative write budget -1");
    }
}
