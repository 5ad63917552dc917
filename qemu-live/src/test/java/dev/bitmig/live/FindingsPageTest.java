package dev.bitmig.live;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** findings.md: each finding with its verdict and minimal sequence, and none of the QMP transcript notation. */
class FindingsPageTest {
    @Test
    void aFindingShowsItsMinimalSequenceButNotTheQmpTranscript() {
        LiveCampaign.Finding f = new LiveCampaign.Finding("V1", "violation", "violation NoLostDisk (model predicts it)", 2,
                7, List.of("Launch[node=TARGET, incoming=true, readOnly=false]", "Cont[node=SOURCE]"), 2,
                "Cont[node=SOURCE]", "model: NoLostDisk", "QEMU: NoLostDisk",
                List.of("source> {\"execute\": \"cont\"}"), "7.2.22", "QEMU-wrong", "the failed reopen ejects the node");
        LiveCampaign.Report r = new LiveCampaign.Report("7.2.22", 1, 1, 0, 0, 0, 1.0, 3.0, 2, 1.0, List.of(), List.of(),
                List.of(f), List.of());
        String md = LiveCampaign.markdown(r);
        assertThat(md).contains("### V1 (violation) violation NoLostDisk (model predicts it)")
                .contains("1. `Launch[node=TARGET, incoming=true, readOnly=false]`\n2. `Cont[node=SOURCE]`\n")
                .doesNotContain("QMP script").doesNotContain("source> {");
    }
}
