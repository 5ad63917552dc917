package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import io.vavr.collection.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Counterexamples are saved as JSON traces and replay deterministically; bad trace files get a precise error. */
class TraceReplayTest {
    static final Path SAVED = Path.of("src/test/resources/traces/upstream-foreign-write-after-handover.json");

    @Test
    void aSavedTraceFileReplaysToItsViolation() throws Exception {
        Trace t = TraceJson.read(SAVED);
        Replay r = Replay.of(t);
        assertThat(r.reproduces()).isTrue();
        assertThat(r.finalViolation().get()).isEqualTo(t.message());
        assertThat(r.refinement()).as("the implementation agrees on every step").isEmpty();
    }

    @Test
    void aTraceSurvivesWritingAndReadingBack(@TempDir Path dir) throws Exception {
        Trace t = new Trace(Bounds.DEFAULT, "QEMU_10_0", List.of("H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP"),
                InitialWorld.BITMAP_LOADED, List.of(new Action.MigrateStart(true),
                new Action.BitmapMerge(NodeId.SOURCE, "a", List.of("b")), new Action.GuestWrite(NodeId.TARGET, 1, 2)),
                "Refinement", "m");
        roundTrip(t, dir);
    }

    @Test
    void aTraceWithABackupJobSurvivesWritingAndReadingBackAndReplays(@TempDir Path dir) throws Exception {
        Bounds withJobs = Bounds.DEFAULT.withCapabilities(dev.bitmig.model.Capabilities.BACKUP_JOBS);
        Trace t = new Trace(withJobs, "QEMU_10_0", List.of("ABDICATE_KEEPS_OLD_BITS"), InitialWorld.BITMAP_LOADED,
                List.of(new Action.GuestWrite(NodeId.SOURCE, 0, 1),
                        new Action.BackupStart(NodeId.SOURCE, "a", Action.Sync.BITMAP, Action.BitmapMode.ALWAYS),
                        new Action.BackupCopy(NodeId.SOURCE), new Action.GuestWrite(NodeId.SOURCE, 2, 1),
                        new Action.BackupCopy(NodeId.SOURCE)),
                "Refinement", "m");
        RoundTrip back = roundTrip(t, dir);
        assertThat(back.trace().configuration().capabilities().backupJobs()).isTrue();
        assertThat(Replay.of(back.trace()).refinement()).as("the seeded abdicate fault shows").isNotEmpty();
    }

    @Test
    void aTraceWithQemuImgEditsSurvivesWritingAndReadingBackAndReplays(@TempDir Path dir) throws Exception {
        Bounds offline = Bounds.DEFAULT.withCapabilities(dev.bitmig.model.Capabilities.OFFLINE_TOOLS);
        Trace t = new Trace(offline, "QEMU_7_2", List.empty(), InitialWorld.BITMAP_LOADED,
                List.of(new Action.Quit(NodeId.SOURCE), Action.ImgBitmap.add("b", 2, true),
                        Action.ImgBitmap.merge("b", "a"), Action.ImgBitmap.of(Action.ImgOp.CLEAR, "a"),
                        new Action.ImgCheck(), Action.ImgBitmap.of(Action.ImgOp.REMOVE, "b")),
                "Refinement", "m");
        RoundTrip back = roundTrip(t, dir);
        assertThat(back.trace().configuration().capabilities().offlineTools()).isTrue();
        assertThat(back.json()).contains("\"offlineTools\" : true", "\"op\" : \"MERGE\"");
        assertThat(Replay.of(back.trace()).refinement()).as("the implementation edits as the model does").isEmpty();
    }

    /** A crash leaves 'a' IN_USE: convert refuses it, --skip-broken-bitmaps leaves it behind and copies 'b'. */
    @Test
    void aTraceWithQemuImgConvertSurvivesWritingAndReadingBackAndReplays(@TempDir Path dir) throws Exception {
        Bounds offline = Bounds.DEFAULT.withCapabilities(dev.bitmig.model.Capabilities.OFFLINE_TOOLS);
        Trace t = new Trace(offline, "QEMU_10_0", List.empty(), InitialWorld.BITMAP_LOADED,
                List.of(new Action.GuestWrite(NodeId.SOURCE, 1, 1), new Action.ImgConvert(false),
                        new Action.Crash(NodeId.SOURCE), Action.ImgBitmap.add("b", 1, false),
                        new Action.ImgConvert(false), new Action.ImgConvert(true),
                        new Action.Launch(NodeId.SOURCE, false)),
                "Refinement", "m");
        RoundTrip back = roundTrip(t, dir);
        assertThat(back.json()).contains("\"action\" : \"ImgConvert\"", "\"skipBroken\" : true");
        assertThat(Replay.of(back.trace()).refinement()).as("the implementation converts as the model does").isEmpty();
    }

    /** The volume fills up: the source's quit loses its bitmap and says so; then it has space again. */
    @Test
    void aTraceWithAFullVolumeSurvivesWritingAndReadingBackAndReplays(@TempDir Path dir) throws Exception {
        Bounds failing = Bounds.DEFAULT.withCapabilities(dev.bitmig.model.Capabilities.STORE_FAILURES);
        Trace t = new Trace(failing, "QEMU_7_2", List.empty(), InitialWorld.BITMAP_LOADED,
                List.of(new Action.GuestWrite(NodeId.SOURCE, 1, 1), new Action.VolumeFull(true),
                        new Action.GuestWrite(NodeId.SOURCE, 2, 1), new Action.Quit(NodeId.SOURCE),
                        new Action.VolumeFull(false), new Action.Launch(NodeId.SOURCE, false)),
                "Refinement", "m");
        RoundTrip back = roundTrip(t, dir);
        assertThat(back.json()).contains("\"action\" : \"VolumeFull\"", "\"full\" : true",
                "\"storeFailures\" : true");
        assertThat(Replay.of(back.trace()).refinement()).as("the implementation refuses the writes as the model does").isEmpty();
    }

    /** A trace read back from its file, and the file's text. */
    private record RoundTrip(Trace trace, String json) { }

    /** Writes the trace to DIR/t.json and reads it back: the same trace. */
    private static RoundTrip roundTrip(Trace t, Path dir) throws Exception {
        Path f = dir.resolve("t.json");
        TraceJson.write(t, f);
        Trace back = TraceJson.read(f);
        assertThat(back).isEqualTo(t);
        return new RoundTrip(back, Files.readString(f));
    }

    @Test
    void anImgConvertWithANonBooleanSkipBrokenSaysWhereInOneLine() {
        String bad = "{\"configuration\":{\"clusters\":3,\"granularities\":[1],\"names\":[\"a\"],\"depth\":6,"
                + "\"maxWrite\":1,\"offlineTools\":true},\"policy\":\"QEMU_7_2\",\"initial\":\"BITMAP_LOADED\","
                + "\"actions\":[{\"action\":\"ImgConvert\",\"skipBroken\":\"yes\"}]}";
        assertThatThrownBy(() -> TraceJson.parse(bad, "t.json")).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("t.json: actions[0]").hasMessageContaining("skipBroken")
                .hasMessageNotContaining("\n");
    }

    @Test
    void anImgBitmapWithAnotherOperationsArgumentSaysWhichInOneLine() {
        String bad = "{\"configuration\":{\"clusters\":3,\"granularities\":[1],\"names\":[\"a\"],\"depth\":6,"
                + "\"maxWrite\":1,\"offlineTools\":true},\"policy\":\"QEMU_7_2\",\"initial\":\"BITMAP_LOADED\","
                + "\"actions\":[{\"action\":\"ImgBitmap\",\"op\":\"CLEAR\",\"name\":\"a\",\"granularity\":0,"
                + "\"disabled\":false,\"source\":\"b\"}]}";
        assertThatThrownBy(() -> TraceJson.parse(bad, "t.json")).isInstanceOf(TraceFormatException.class)
                .hasMessage("t.json: actions[0]: ImgBitmap: a source bitmap belongs to --merge, not to --clear");
    }

    @Test
    void aTruncatedTraceSaysItIsNotValidJsonAndWhere(@TempDir Path dir) throws Exception {
        String text = Files.readString(SAVED);
        Path f = dir.resolve("cut.json");
        Files.writeString(f, text.substring(0, text.length() / 2));
        assertThatThrownBy(() -> TraceJson.read(f)).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("cut.json: not valid JSON at line");
    }

    @Test
    void aBadFieldIsNamedByItsJsonPath() {
        String bad = "{\"configuration\": {\"clusters\": 3, \"granularities\": [1], \"names\": [\"a\"], \"depth\": 2, "
                + "\"maxWrite\": 1}, \"policy\": \"QEMU_10_0\", \"initial\": \"TARGET_WAITING\", \"invariant\": \"NoUnderReport\", "
                + "\"actions\": [{\"action\": \"GuestWrite\", \"node\": \"SOURCE\", \"first\": 0, \"count\": 1}, "
                + "{\"action\": \"GuestWrite\", \"node\": \"SRC\", \"first\": 0, \"count\": 1}]}";
        assertThatThrownBy(() -> TraceJson.parse(bad, "t.json")).isInstanceOf(TraceFormatException.class)
                .hasMessage("t.json: actions[1].node: expected one of [SOURCE, TARGET], got \"SRC\"");
    }

    @Test
    void anUnknownActionAndAMissingFieldAreNamed() {
        String unknown = "{\"configuration\": {\"clusters\": 3, \"granularities\": [1], \"names\": [\"a\"], \"depth\": 2, "
                + "\"maxWrite\": 1}, \"policy\": \"P\", \"initial\": \"TARGET_WAITING\", \"invariant\": \"X\", "
                + "\"actions\": [{\"action\": \"Teleport\"}]}";
        assertThatThrownBy(() -> TraceJson.parse(unknown, "t.json")).hasMessageStartingWith("t.json: actions[0].action: unknown action \"Teleport\"");
        String missing = unknown.replace("{\"action\": \"Teleport\"}", "{\"action\": \"Crash\"}");
        assertThatThrownBy(() -> TraceJson.parse(missing, "t.json")).hasMessage("t.json: actions[0].node: missing");
    }

    @Test
    void anUnknownPolicyIsRejectedWhenReplaying() throws Exception {
        Trace t = TraceJson.read(SAVED);
        Trace other = new Trace(t.configuration(), "NO_SUCH_POLICY", t.faults(), t.initial(), t.actions(), t.invariant(), t.message());
        assertThatThrownBy(() -> Replay.of(other)).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("policy: unknown policy \"NO_SUCH_POLICY\"");
    }

    @Test
    void anUnknownInvariantIsRejectedWhenReplaying() throws Exception {
        Trace t = TraceJson.read(SAVED);
        Trace other = new Trace(t.configuration(), t.policy(), t.faults(), t.initial(), t.actions(), "NoSuchInvariant",
                t.message());
        assertThatThrownBy(() -> Replay.of(other)).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("invariant: unknown invariant \"NoSuchInvariant\"; expected one of NoUnderReport");
    }

    @Test
    void aMessageThatIsNotAStringIsNamed() throws Exception {
        String text = Files.readString(SAVED).replace("\"message\" : \"bitmap", "\"message\" : {}, \"m\" : \"bitmap");
        assertThatThrownBy(() -> TraceJson.parse(text, "t.json")).isInstanceOf(TraceFormatException.class)
                .hasMessage("t.json: message: expected a string, got {}");
    }
}
