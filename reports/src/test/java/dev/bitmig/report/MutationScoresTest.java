package dev.bitmig.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The report reads PIT's mutations.xml into a score per package. */
class MutationScoresTest {

    private static String mutation(String cls, boolean detected) {
        return "<mutation detected='" + detected + "' status='" + (detected ? "KILLED" : "SURVIVED") + "'>"
                + "<sourceFile>X.java</sourceFile><mutatedClass>" + cls + "</mutatedClass></mutation>";
    }

    @Test
    void killedMutantsAreCountedPerPackage(@TempDir Path dir) throws Exception {
        Path xml = dir.resolve("mutations.xml");
        Files.writeString(xml, "<?xml version='1.0'?><mutations>" + mutation("a.b.C", true) + mutation("a.b.D", false)
                + mutation("a.b.C", true) + mutation("a.e.F", false) + "</mutations>");
        List<MutationScores.Score> s = MutationScores.read("m", xml);
        assertThat(s).containsExactly(new MutationScores.Score("m", "a.b", 2, 3), new MutationScores.Score("m", "a.e", 0, 1));
        assertThat(s.get(0).percent()).isEqualTo(66);
    }

    @Test
    void aFileThatIsNotAPitReportSaysSo(@TempDir Path dir) throws Exception {
        Path xml = dir.resolve("mutations.xml");
        Files.writeString(xml, "not xml");
        assertThatThrownBy(() -> MutationScores.read("m", xml)).hasMessageContaining("not a PIT mutations report");
    }
}
