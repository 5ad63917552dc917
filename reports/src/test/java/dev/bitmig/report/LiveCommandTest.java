package dev.bitmig.report;

import dev.bitmig.live.QemuLauncher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** bitmig live: bad input is one line and exit 2; on a real QEMU it writes the findings page and says the version. */
class LiveCommandTest {

    @Test
    void aCampaignOfNoSequencesIsBadInput() {
        MainTest.badInput(MainTest.run("live", "--sequences", "0"), "--sequences must be at least 1");
    }

    @Test
    void aPrefixWithoutQemuIsBadInput() throws Exception {
        Path empty = Files.createTempDirectory("bitmig-no-qemu");
        MainTest.badInput(MainTest.run("live", "--qemu", empty.toString()), "no usr/bin/qemu-system-x86_64 there");
    }

    @Test
    @Tag("qemu")
    void aShortCampaignOnRealQemuWritesItsFindingsAndNamesTheVersion() throws Exception {
        assumeTrue("false".equals(System.getProperty("bitmig.live.skip")), "real-QEMU tests run with -Pqemu-live");
        assumeTrue(QemuLauncher.qemuAvailable(), "qemu-system-x86_64 not on PATH");
        Path out = Files.createTempDirectory("bitmig-live");
        MainTest.Run r = MainTest.run("live", "--sequences", "2", "--shrink-seconds", "5", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isIn(0, 1);
        assertThat(r.out()).startsWith("QEMU ").contains("2 sequences");
        assertThat(Files.readString(out.resolve("findings.md"))).isNotBlank();
        try (java.util.stream.Stream<Path> files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.matches("findings-(7\\.2|10\\.0)\\.json"));
        }
    }
}
