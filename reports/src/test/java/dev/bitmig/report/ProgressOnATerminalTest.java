package dev.bitmig.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Progress goes to stderr whenever stderr is a terminal, whatever stdout is: the command runs in a pseudo-terminal
 * (util-linux script) with its stdout sent to a file; without a terminal and without --progress it says nothing.
 */
class ProgressOnATerminalTest {
    private static final Path SCRIPT = Path.of("/usr/bin/script");

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String command(Path stdout, String... more) {
        return "'" + java() + "' -cp '" + System.getProperty("java.class.path") + "' " + Main.class.getName()
                + " explore --policy QEMU_10_0 --depth 3 --threads 1 " + String.join(" ", more) + " > '" + stdout
                + "'";
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return all;
    }

    @Test
    void aTerminalOnStderrGetsProgressWhileStdoutGoesToAFile(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "script (util-linux) is not installed");
        Path stdout = dir.resolve("out.txt");
        String terminal = run(List.of(SCRIPT.toString(), "-qec", command(stdout), "/dev/null"));
        assertThat(terminal).as("what the terminal showed").contains("QEMU_10_0 depth 1:").contains("distinct");
        assertThat(Files.readString(stdout)).contains("NoUnderReport").doesNotContain("depth 1:");
    }

    @Test
    void withoutATerminalStderrStaysQuietUnlessProgressIsAskedFor(@TempDir Path dir) throws Exception {
        Path stdout = dir.resolve("out.txt");
        Path stderr = dir.resolve("err.txt");
        run(List.of("sh", "-c", command(stdout) + " 2> '" + stderr + "' < /dev/null"));
        assertThat(Files.readString(stdout)).contains("NoUnderReport");
        assertThat(Files.readString(stderr)).doesNotContain("depth 1:");
        run(List.of("sh", "-c", command(stdout, "--progress") + " 2> '" + stderr + "' < /dev/null"));
        assertThat(Files.readString(stderr)).contains("QEMU_10_0 depth 1:");
    }
}
