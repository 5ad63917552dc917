package dev.bitmig.report;

import org.junit.jupiter.api.Test;

import static dev.bitmig.report.MainTest.badInput;
import static dev.bitmig.report.MainTest.run;

/** Bad input that the command-line fuzzer found answered otherwise than with exit 2 and one line on stderr. */
class BadInputIsOneLineTest {

    @Test
    void noCommandIsOneLineThatListsTheCommands() {
        // it printed the eleven lines of the usage
        badInput(run(), "give a command: policies, check, explore, replay, report");
    }
}
