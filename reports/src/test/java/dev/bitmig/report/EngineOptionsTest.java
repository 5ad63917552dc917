package dev.bitmig.report;

import org.junit.jupiter.api.Test;

/** Where the search runs is chosen with --engine; a wrong choice, or an engine not on the class path, is one line. */
class EngineOptionsTest {

    @Test
    void theSparkEngineIsOneLineOfBadInputWhenItIsNotOnTheClassPath() {
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--depth", "2", "--engine", "spark"),
                "the spark engine is not on the class path");
    }

    @Test
    void anUnknownEngineIsBadInput() {
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--engine", "flink"),
                "--engine must be jvm or spark, got 'flink'");
    }

    @Test
    void sparkOptionsWithoutTheSparkEngineAreBadInput() {
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--master", "local[2]"),
                "--master is an option of --engine spark");
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--partitions", "4"),
                "--partitions is an option of --engine spark");
    }

    @Test
    void aMasterSparkWouldNotParseIsBadInputBeforeSparkStarts() {
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--engine", "spark", "--master", "nonsense"),
                "--master must be local, local[N], local[*], spark://HOST:PORT, yarn or k8s://URL, got 'nonsense'");
    }

    @Test
    void threadsWithTheSparkEngineAndTooFewPartitionsAreBadInput() {
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--engine", "spark", "--threads", "2"),
                "--threads is an option of --engine jvm");
        MainTest.badInput(MainTest.run("explore", "--policy", "QEMU_10_0", "--engine", "spark", "--partitions", "0"),
                "--partitions must be between 1 and");
    }
}
