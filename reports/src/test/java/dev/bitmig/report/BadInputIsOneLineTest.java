package dev.bitmig.report;

import dev.bitmig.check.TraceJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.bitmig.report.MainTest.badInput;
import static dev.bitmig.report.MainTest.run;

/** Bad input that the command-line fuzzer found answered otherwise than with exit 2 and one line on stderr. */
class BadInputIsOneLineTest {

    @Test
    void noCommandIsOneLineThatListsTheCommands() {
        // it printed the eleven lines of the usage
        MainTest.Run r = run();
        badInput(r, "give a command: ");
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            org.assertj.core.api.Assertions.assertThat(r.err()).as("names %s", command).contains(command);
        }
    }

    @Test
    void tooManyThreadsOrClustersAreBadInput() {
        // --threads 2147483647 ran (8 chunks per thread overflowed); --clusters 4097 printed the IllegalArgumentException
        // of Bounds, which allows at most 4096
        badInput(run("explore", "--policy", "QEMU_10_0", "--depth", "0", "--threads", "2147483647"),
                "--threads must be between 1 and 256, got 2147483647");
        badInput(run("check", "--policy", "QEMU_10_0", "--depth", "0", "--clusters", "4097"),
                "--clusters must be between 1 and 4096, got 4097");
    }

    @Test
    void aTraceThatReadsButDoesNotReplayIsNamedByItsFile(@TempDir Path dir) throws Exception {
        // the error said "invariant: unknown invariant" without saying which file
        Path trace = MainTest.writtenTrace(dir);
        String text = Files.readString(trace);
        String invariant = TraceJson.read(trace).invariant();
        Path bad = MainTest.writeFile(dir.resolve("bad-invariant.json"),
                text.replace("\"invariant\" : \"" + invariant + "\"", "\"invariant\" : \"Nope\""));
        badInput(run("replay", bad.toString()), bad + ": invariant: unknown invariant \"Nope\"");
    }

    @Test
    void aReportDirectoryUnderAFileIsBadInput(@TempDir Path dir) {
        // it printed "java.nio.file.FileSystemException: ...: Not a directory"
        Path underAFile = MainTest.writeFile(dir.resolve("file"), "x").resolve("out");
        badInput(run("report", "--out", underAFile.toString(), "--depth", "0"),
                underAFile + ": cannot create the output directory");
    }

    @Test
    void aPathWithANulCharacterIsBadInputWithoutAnExceptionName() {
        // it printed "(java.nio.file.InvalidPathException: Nul character not allowed: …)"
        badInput(run("replay", "bad\u0000name.json"), "\"bad\\u0000name.json\" is not a path (Nul character not allowed)");
        badInput(run("report", "--out", "out\u0000dir", "--depth", "0"), "is not a path");
    }
}
