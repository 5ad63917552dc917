package dev.bitmig.spark;

import dev.bitmig.report.Main;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line finds the spark engine on the class path, and its JSON is the single-JVM explorer's. */
class SparkCommandLineTest {

    private record Run(int code, String out, String err) { }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void exploreOnSparkPrintsTheSameJsonAsTheSingleJvmExplorerAndOneLinePerLevel() {
        Run jvm = run("explore", "--all", "--depth", "4", "--json");
        Run spark = run("explore", "--all", "--depth", "4", "--json", "--engine", "spark", "--master", "local[2]",
                "--partitions", "3");
        assertThat(spark.code()).as(spark.err()).isEqualTo(jvm.code());
        assertThat(spark.out()).isEqualTo(jvm.out());
        assertThat(spark.err()).contains("QEMU_10_0 level 4: ").contains("states/s").contains("shuffle");
    }

    @Test
    void theAnswersDoNotDependOnHowManyPartitionsTheStatesAreSplitInto() {
        Run one = run("explore", "--policy", "CANARY_MERGE", "--depth", "5", "--json", "--engine", "spark", "--master",
                "local[2]", "--partitions", "1");
        Run seven = run("explore", "--policy", "CANARY_MERGE", "--depth", "5", "--json", "--engine", "spark",
                "--master", "local[2]", "--partitions", "7");
        assertThat(seven.code()).as(seven.err()).isEqualTo(one.code());
        assertThat(seven.out()).isEqualTo(one.out());
        assertThat(seven.err()).contains("7 partitions");
    }
}
