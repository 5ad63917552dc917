package dev.bitmig.check;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Trace files that the fuzzer found mishandled: each now ends in a {@link TraceFormatException} that says where. */
class TraceFormatErrorsTest {

    static void rejected(String text, String message) {
        assertThatThrownBy(() -> TraceJson.parse(text, "t.json")).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining(message);
    }

    @Test
    void nestingTooDeepIsAJsonErrorWithALineAndColumn() {
        rejected("[".repeat(5_000), "t.json: not valid JSON at line 1, column ");
        rejected("{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000), "nesting depth");
    }

    @Test
    void aNumberTooLongIsAJsonErrorWithALineAndColumn() {
        rejected("{\"configuration\": {\"clusters\": 1" + "0".repeat(2_000) + "}}", "t.json: not valid JSON at line 1");
    }

    @Test
    void invalidUtf8IsNamedByItsByteOffset() {
        byte[] bytes = {'{', '"', 'p', (byte) 0xc0, (byte) 0x80, '"', ':', '1', '}'};
        assertThatThrownBy(() -> TraceJson.parse(bytes, "t.json")).isInstanceOf(TraceFormatException.class)
                .hasMessage("t.json: not valid UTF-8 at byte 3");
    }

    @Test
    void contentAfterTheTraceIsRejectedNotIgnored() throws Exception {
        String text = java.nio.file.Files.readString(TraceReplayTest.SAVED);
        rejected(text + " {}", "t.json: not valid JSON at line 32, column 2: content after the trace's object");
        rejected(text + "x", "t.json: not valid JSON at line 32");
    }

    @Test
    void aDuplicateKeyIsRejectedNotOverwritten() throws Exception {
        String text = java.nio.file.Files.readString(TraceReplayTest.SAVED)
                .replace("\"policy\" : \"QEMU_10_0\"", "\"policy\" : \"CANARY_MERGE\", \"policy\" : \"QEMU_10_0\"");
        rejected(text, "t.json: not valid JSON at line 12, column ");
        rejected(text, "Duplicate field 'policy'");
    }

    static final String SAVED_ACTION = "\"action\" : \"Inactivate\"";

    @Test
    void aLongOrMultiLineValueIsShownCutAndOnOneLine() throws Exception {
        String text = java.nio.file.Files.readString(TraceReplayTest.SAVED);
        String longKind = text.replace(SAVED_ACTION, "\"action\" : \"" + "x".repeat(1_000_000) + "\"");
        assertThatThrownBy(() -> TraceJson.parse(longKind, "t.json"))
                .hasMessageStartingWith("t.json: actions[1].action: unknown action \"xxxx")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200 + ActionKinds.ALL.mkString(", ").length()));
        String twoLines = text.replace(SAVED_ACTION, "\"action\" : \"Crash\\nQuit\"");
        assertThatThrownBy(() -> TraceJson.parse(twoLines, "t.json"))
                .hasMessageStartingWith("t.json: actions[1].action: unknown action \"Crash\\nQuit\";");
        String bigArray = text.replace("\"clusters\" : 3", "\"clusters\" : [" + "1,".repeat(100_000) + "1]");
        assertThatThrownBy(() -> TraceJson.parse(bigArray, "t.json"))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200).doesNotContain("\n"));
    }

    static String saved() throws java.io.IOException {
        return java.nio.file.Files.readString(TraceReplayTest.SAVED);
    }

    @Test
    void aDiskTooLargeForTheModelIsAConfigurationError() throws Exception {
        // it ran out of memory replaying: the model keeps sets of clusters
        rejected(saved().replace("\"clusters\" : 3", "\"clusters\" : 2147483647"),
                "t.json: configuration: clusters must be between 1 and 4096, got 2147483647");
    }

    @Test
    void aGranularityOrNameQemuRefusesIsAConfigurationError() throws Exception {
        // replaying from BITMAP_LOADED threw a ClassCastException: the initial bitmap_add was rejected
        rejected(saved().replace("[ 1, 2 ]", "[ 65536 ]"),
                "t.json: configuration: granularities must be powers of two up to 32768, got 65536");
        rejected(saved().replace("[ \"a\", \"b\" ]", "[ \"" + "n".repeat(2000) + "\" ]"),
                "t.json: configuration: bitmap names must be non-empty and at most 1023 bytes, got nnnn");
    }

    static long allocatedSoFar() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    static String withActions(int n, String action) throws Exception {
        return saved().replace("\"actions\" : [ {", "\"actions\" : [ " + (action + ",").repeat(n) + " {");
    }

    @Test
    void tenThousandActionsReadAndReplayInLinearTime() throws Exception {
        // reading and replaying appended to immutable lists: 20,000 actions took 12 s, 10,000 writes allocated 9 GB
        String write = "{\"action\":\"GuestWrite\",\"node\":\"SOURCE\",\"first\":0,\"count\":1}";
        String text = withActions(TraceJson.MAX_ACTIONS - 4, write);
        long before = allocatedSoFar();
        Trace t = TraceJson.parse(text, "t.json");
        Replay r = Replay.of(t);
        assertThat(r.outcomes()).hasSize(TraceJson.MAX_ACTIONS);
        assertThat(t.actions().last()).as("order kept").isEqualTo(new dev.bitmig.model.Action.MigrateComplete());
        long allocated = allocatedSoFar() - before;
        assertThat(allocated).as("bytes allocated (about 150 MiB)").isLessThan(1L << 30);
    }

    @Test
    void moreActionsThanTheLimitAreAnError() throws Exception {
        rejected(withActions(TraceJson.MAX_ACTIONS, "{\"action\":\"MigrateCancel\"}"),
                "t.json: actions: at most 10000 actions, got 10004");
    }

    @Test
    void aBadNameWithLineBreaksIsNamedOnOneLine() throws Exception {
        // found by the fuzzer under -Pfuzz: the configuration's message listed the names as they were
        String text = saved().replace("[ \"a\", \"b\" ]", "[ \"" + "\\n".repeat(2000) + "\" ]");
        assertThatThrownBy(() -> TraceJson.parse(text, "t.json"))
                .hasMessageStartingWith("t.json: configuration: bitmap names must be non-empty and at most 1023 bytes, got \\n\\n")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(300));
    }

    @Test
    void aFileLargerThanSixteenMebibytesIsRefusedBeforeItIsParsed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // a file of a million-character name copied into 10,001 actions ran out of memory (found by the fuzzer)
        java.nio.file.Path big = dir.resolve("big.json");
        try (var out = java.nio.file.Files.newOutputStream(big)) {
            out.write(new byte[TraceJson.MAX_BYTES + 1]);
        }
        assertThatThrownBy(() -> TraceJson.read(big)).isInstanceOf(TraceFormatException.class)
                .hasMessage(big + ": 16777217 bytes, more than a trace file may have (16777216)");
    }
}
