package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images in files: read-write opens reach the file, and failed opens and creates close it again. */
class Qcow2ImageFileTest {

    @TempDir
    Path dir;

    @Test
    void aReadWriteOpenUpdatesTheFile() throws IOException {
        Path p = dir.resolve("rw.qcow2");
        Qcow2Image.create(p, 1L << 30).close();
        BitSet bits = new BitSet();
        bits.set(9);
        try (Qcow2Image img = Qcow2Image.openReadWrite(p)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 16, true, bits)), Set.of());
        }
        try (Qcow2Image img = Qcow2Image.open(p)) {
            assertThat(img.readBitmap("a").bits()).isEqualTo(bits);
        }
    }

    interface Failing {
        void run(int i) throws IOException;
    }

    /** Runs {@code op} 20 times (after one warm-up) and returns how many file descriptors stayed open. */
    static long descriptorsLeftOpen(Failing op) throws IOException {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        assumeTrue(os instanceof UnixOperatingSystemMXBean, "needs a Unix file descriptor count");
        UnixOperatingSystemMXBean unix = (UnixOperatingSystemMXBean) os;
        op.run(-1);
        long before = unix.getOpenFileDescriptorCount();
        for (int i = 0; i < 20; i++) {
            op.run(i);
        }
        return unix.getOpenFileDescriptorCount() - before;
    }

    @Test
    void aFailedOpenOfAFileClosesIt() throws IOException {
        Path p = Files.write(dir.resolve("short.qcow2"), new byte[50]);
        long left = descriptorsLeftOpen(i -> {
            assertThatThrownBy(() -> Qcow2Image.open(p)).isInstanceOf(Qcow2FormatException.class);
            assertThatThrownBy(() -> Qcow2Image.openReadWrite(p)).isInstanceOf(Qcow2FormatException.class);
        });
        assertThat(left).isLessThan(10);
    }

    @Test
    void aFailedCreateOfAFileClosesIt() throws IOException {
        long left = descriptorsLeftOpen(i -> assertThatThrownBy(() -> Qcow2Image.create(dir.resolve("c" + i), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("disk size -1 out of range"));
        assertThat(left).isLessThan(10);
    }
}
