package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWriteLayerTest {

    @TempDir
    Path dir;

    Path tenBytes() throws IOException {
        return Files.write(dir.resolve("ten"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    }

    @Test
    void aReadAcrossTheEndOfTheFileGetsZerosBeyondIt() throws IOException {
        try (FileWriteLayer layer = FileWriteLayer.openReadOnly(tenBytes())) {
            byte[] dst = new byte[12];
            Arrays.fill(dst, (byte) 0x55);
            layer.read(5, dst, 1, 10);
            assertThat(dst).containsExactly(0x55, 6, 7, 8, 9, 10, 0, 0, 0, 0, 0, 0x55);
            assertThat(layer.length()).isEqualTo(10);
        }
    }

    @Test
    void aReadOnlyLayerRefusesWrites() throws IOException {
        Path p = tenBytes();
        try (FileWriteLayer layer = FileWriteLayer.openReadOnly(p)) {
            assertThatThrownBy(() -> layer.write(0, new byte[] {9})).isInstanceOf(IOException.class)
                    .hasMessage("image opened read-only");
            layer.flush();
        }
        assertThat(Files.readAllBytes(p)[0]).isEqualTo((byte) 1);
    }

    @Test
    void writesReachTheFileAndExtendIt() throws IOException {
        Path p = tenBytes();
        try (FileWriteLayer layer = FileWriteLayer.openReadWrite(p)) {
            layer.write(8, new byte[] {40, 41, 42, 43});
            layer.flush();
            assertThat(layer.read(7, 5)).containsExactly(8, 40, 41, 42, 43);
        }
        assertThat(Files.readAllBytes(p)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 40, 41, 42, 43);
    }

    @Test
    void createNewRefusesAnExistingFile() throws IOException {
        Path p = tenBytes();
        assertThatThrownBy(() -> FileWriteLayer.createNew(p)).isInstanceOf(FileAlreadyExistsException.class);
        try (FileWriteLayer layer = FileWriteLayer.createNew(dir.resolve("new"))) {
            assertThat(layer.length()).isZero();
        }
    }

    @Test
    void aClosedLayerCannotBeRead() throws IOException {
        FileWriteLayer layer = FileWriteLayer.openReadOnly(tenBytes());
        layer.close();
        assertThatThrownBy(() -> layer.read(0, 1)).isInstanceOf(ClosedChannelException.class);
    }
}
