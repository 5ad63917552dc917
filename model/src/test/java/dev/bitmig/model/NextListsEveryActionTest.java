package dev.bitmig.model;

import io.vavr.collection.List;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The model's action alphabet, like TLA+'s Next, lists every kind of action there is, in a fixed order. */
class NextListsEveryActionTest {
    private static final Alphabet FULL = new Alphabet(3, List.of(1, 2), List.of("a", "b"), 2, true, true, 1,
            List.of(1), List.empty(), Capabilities.ALL);

    @Test
    void everyKindOfActionIsInTheFullAlphabet() {
        Set<String> kinds = Arrays.stream(Action.class.getPermittedSubclasses()).map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(Next.actions(FULL).map(Action::kind).toJavaList())).isEqualTo(kinds);
    }

    @Test
    void theOrderIsFixedAndLeftOutKindsAreLeftOut() {
        assertThat(Next.actions(FULL)).isEqualTo(Next.actions(FULL));
        Alphabet noTools = new Alphabet(3, List.of(1), List.of("a"), 1, false, false, 1, List.empty(),
                List.of("ForeignWrite"));
        assertThat(Next.actions(noTools).map(Action::kind)).doesNotContain("ForeignWrite").contains("GuestWrite");
    }

    @Test
    void backupJobsAreTriedOnlyWithTheirCapability() {
        Alphabet plain = new Alphabet(3, List.of(1), List.of("a"), 1, false, false, 1, List.empty(), List.empty());
        assertThat(Next.actions(plain).map(Action::kind)).doesNotContain("BackupStart", "BackupCopy", "BackupFail",
                "BackupCancel");
    }

    @Test
    void qemuImgIsTriedOnlyWithTheOfflineToolsCapability() {
        Alphabet plain = new Alphabet(3, List.of(1), List.of("a", "b"), 1, false, false, 1, List.empty(), List.empty(),
                Capabilities.BACKUP_JOBS);
        assertThat(Next.actions(plain).map(Action::kind)).doesNotContain("ImgBitmap", "ImgCheck", "ImgConvert");
        Alphabet offline = new Alphabet(3, List.of(1), List.of("a", "b"), 1, false, false, 1, List.empty(),
                List.empty(), Capabilities.OFFLINE_TOOLS);
        assertThat(Next.actions(offline).filter(a -> a instanceof Action.ImgBitmap)).contains(
                Action.ImgBitmap.add("a", 1, false), Action.ImgBitmap.of(Action.ImgOp.REMOVE, "b"),
                Action.ImgBitmap.merge("a", "b"), Action.ImgBitmap.merge("b", "a")).hasSize(2 * (1 + 4 + 1));
        assertThat(Next.actions(offline).map(Action::kind)).doesNotContain("BackupStart").contains("ImgCheck");
        assertThat(Next.actions(offline).filter(a -> a instanceof Action.ImgConvert))
                .containsExactly(new Action.ImgConvert(false), new Action.ImgConvert(true));
    }

    @Test
    void aVolumeFillsUpOnlyWithTheStoreFailuresCapability() {
        Alphabet plain = new Alphabet(3, List.of(1), List.of("a"), 1, false, false, 1, List.empty(), List.empty(),
                Capabilities.OFFLINE_TOOLS);
        assertThat(Next.actions(plain).map(Action::kind)).doesNotContain("VolumeFull");
        Alphabet failing = new Alphabet(3, List.of(1), List.of("a"), 1, false, false, 1, List.empty(), List.empty(),
                Capabilities.STORE_FAILURES);
        assertThat(Next.actions(failing).filter(a -> a instanceof Action.VolumeFull))
                .containsExactly(new Action.VolumeFull(true), new Action.VolumeFull(false));
    }

    @Test
    void anAddOnANodeThatDoesNotOwnTheImageIsTriedOnlyWhenTheAlphabetSaysSo() {
        World w = World.initialWithIncomingTarget(new Geometry(3));
        Action add = new Action.BitmapAdd(NodeId.TARGET, "a", 1, true, false);
        Alphabet strict = new Alphabet(3, List.of(1), List.of("a"), 1, false, false, 1, List.empty(), List.empty());
        assertThat(Next.tried(strict, w, add)).isFalse();
        assertThat(Next.tried(FULL, w, add)).isTrue();
    }
}
