package dev.bitmig.live;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The findings page puts every release that ran side by side, and says where a finding was not seen. */
class FindingsSideBySideTest {

    private static LiveCampaign.Finding finding(String id, String kind, String signature, int occurrences, String qemu) {
        return new LiveCampaign.Finding(id, kind, signature, occurrences, 7, List.of("Stop[node=SOURCE]"), 1,
                "Stop[node=SOURCE]", "model", "qemu", List.of(), qemu, "QEMU-wrong", "because");
    }

    private static LiveCampaign.Report report(String qemu, int agree, int disagree, List<LiveCampaign.Finding> findings,
                                              String replayLabel) {
        LiveChecker.Replay replay = new LiveChecker.Replay("a-failed-before-handover", List.of(), replayLabel, List.of(),
                List.of(), List.of(), "", List.of(), LiveChecker.Status.AGREE);
        return new LiveCampaign.Report(qemu, agree + disagree, agree, disagree, 0, 0,
                (double) agree / (agree + disagree), 21.5, 100, 10, List.of(), List.of(), findings, List.of(replay));
    }

    @Test
    void eachReleaseIsAColumnAndAFindingSeenOnOneReleaseOnlyIsNotSeenOnTheOther() throws Exception {
        Path dir = Files.createTempDirectory("findings");
        LiveCampaign.write(report("10.0.2 (Debian)", 98, 2, List.of(finding("A1", "abort",
                "bdrv_co_write_req_prepare: Assertion", 3, "10.0.2")), "reproduced on QEMU 10.0.2 (Debian)"), dir);
        LiveCampaign.write(report("7.2.22 (Debian)", 99, 1, List.of(finding("D1", "disagreement", "source bitmap busy", 1,
                "7.2.22")), "not reproduced (the model predicts no violation)"), dir);

        assertThat(dir.resolve("findings-7.2.json")).exists();
        assertThat(dir.resolve("findings-10.0.md")).exists();
        String page = Files.readString(dir.resolve("findings.md"));
        assertThat(page).contains("|  | [QEMU 7.2.22 (Debian)](findings-7.2.md) | [QEMU 10.0.2 (Debian)](findings-10.0.md) |");
        assertThat(page).contains("| agreement | 99.0% | 98.0% |");
        assertThat(page).contains("| disagreement: source bitmap busy | D1, 1 sequence(s), QEMU-wrong | not seen |");
        assertThat(page).contains("| abort: bdrv_co_write_req_prepare: Assertion | not seen | A1, 3 sequence(s), QEMU-wrong |");
        assertThat(page).contains("| a-failed-before-handover | not reproduced (the model predicts no violation) | reproduced |");
    }

    @Test
    void aQemuVersionBelongsToItsRelease() {
        assertThat(FindingsSideBySide.release("7.2.22 (Debian 1:7.2+dfsg-7)")).isEqualTo("7.2");
        assertThat(FindingsSideBySide.release("10.0.2")).isEqualTo("10.0");
        assertThat(FindingsSideBySide.release("unknown")).isEqualTo("unknown");
    }
}
