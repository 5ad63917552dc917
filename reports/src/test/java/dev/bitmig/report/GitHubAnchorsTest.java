package dev.bitmig.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Headings get the anchors GitHub gives them (github-slugger), punctuation, symbols and duplicates included. */
class GitHubAnchorsTest {

    private static List<String> anchors(String... headings) {
        GitHubAnchors a = new GitHubAnchors();
        return Stream.of(headings).map(a::next).toList();
    }

    @Test
    void lowerCaseWithSpacesTurnedIntoHyphens() {
        assertThat(GitHubAnchors.plain("Cost per policy")).isEqualTo("cost-per-policy");
        assertThat(GitHubAnchors.plain("Hello  World")).isEqualTo("hello--world");
    }

    @Test
    void punctuationAndSymbolsAreDroppedButUnderscoresHyphensLettersAndDigitsStay() {
        assertThat(GitHubAnchors.plain("Foo & Bar")).isEqualTo("foo--bar");
        assertThat(GitHubAnchors.plain("QEMU_10_0 × NoUnderReport")).isEqualTo("qemu_10_0--nounderreport");
        assertThat(GitHubAnchors.plain("Counterexample: QEMU_2_12 / NoUnderReport"))
                .isEqualTo("counterexample-qemu_2_12--nounderreport");
        assertThat(GitHubAnchors.plain("source-ram/transient/aware-tool/this-inactive@handed-over/cancelled"))
                .isEqualTo("source-ramtransientaware-toolthis-inactivehanded-overcancelled");
        assertThat(GitHubAnchors.plain("jqwik 1.9.3 (pinned)")).isEqualTo("jqwik-193-pinned");
        assertThat(GitHubAnchors.plain("Über café")).isEqualTo("über-café");
        assertThat(GitHubAnchors.plain("Hi 👋")).isEqualTo("hi-");
    }

    @Test
    void aRepeatedHeadingGetsTheFirstFreeNumber() {
        assertThat(anchors("Steps", "Steps", "Steps!", "Other")).containsExactly("steps", "steps-1", "steps-2", "other");
    }

    @Test
    void aHeadingWhoseAnchorLooksNumberedStillGetsAFreeOne() {
        assertThat(anchors("foo", "foo", "foo-1", "foo")).containsExactly("foo", "foo-1", "foo-1-1", "foo-2");
    }
}
