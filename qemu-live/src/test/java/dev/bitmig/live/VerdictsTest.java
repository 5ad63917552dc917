package dev.bitmig.live;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which verdict a disagreement gets from what QEMU showed. */
class VerdictsTest {
    @Test
    void aNodeQemuEjectedWhereTheModelKeepsItIsTheRefusedActivation() {
        assertThat(Verdicts.of("target node readable", "[query-named-block-nodes: Block device drive0 is ejected, a=false]"))
                .isSameAs(Verdicts.of("refused activation"));
    }

    @Test
    void aStaleHeaderIsStillTheStaleHeader() {
        assertThat(Verdicts.of("source node readable", "[query-named-block-nodes: Bitmap extra data is not supported]").verdict())
                .isEqualTo("QEMU-wrong (minor)");
    }
}
