package dev.bitmig.impl.qcow2.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A seed is a history, and a saved history file reads back as the same history: failures replay both ways. */
class HistoryFilesTest {

    @TempDir
    Path dir;

    @Test
    void aQemuHistoryIsDeterminedByItsSeedAndSurvivesItsFile() throws Exception {
        FailureArchive<QemuHistory> archive = new FailureArchive<>(QemuHistory.class);
        for (long seed = 0; seed < 200; seed++) {
            QemuHistory h = QemuHistoryGenerator.generate(seed, true);
            assertThat(QemuHistoryGenerator.generate(seed, true)).isEqualTo(h);
            assertThat(h.steps().get(0)).isInstanceOf(QemuStep.Create.class);
            Path file = dir.resolve("q" + seed + ".json");
            archive.write(h, file);
            assertThat(archive.read(file)).isEqualTo(h);
        }
        assertThat(Files.readString(dir.resolve("q7.json"))).contains("\"step\" : \"create\"");
    }

    @Test
    void aBitmigHistoryIsDeterminedByItsSeedAndSurvivesItsFile() throws Exception {
        FailureArchive<BitmigHistory> archive = new FailureArchive<>(BitmigHistory.class);
        for (long seed = 0; seed < 200; seed++) {
            BitmigHistory h = BitmigHistoryGenerator.generate(seed);
            assertThat(BitmigHistoryGenerator.generate(seed)).isEqualTo(h);
            assertThat(h.steps().get(0)).isInstanceOf(BitmigStep.Create.class);
            Path file = dir.resolve("b" + seed + ".json");
            archive.write(h, file);
            assertThat(archive.read(file)).isEqualTo(h);
        }
    }

    @Test
    void withoutUnicodeArgumentsEveryNameIsAscii() {
        for (long seed = 0; seed < 300; seed++) {
            for (QemuStep s : QemuHistoryGenerator.generate(seed, false).steps()) {
                if (s instanceof QemuStep.ImgBitmap b) {
                    assertThat(b.name() + b.source()).matches("\\p{ASCII}*");
                }
            }
        }
    }
}
