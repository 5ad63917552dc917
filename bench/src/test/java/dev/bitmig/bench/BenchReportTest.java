package dev.bitmig.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.bench.BenchReport.Result;
import dev.bitmig.bench.BenchReport.Table;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The renderer on a JMH JSON produced by a real run with bench/run's smoke settings, restricted to a few benchmarks
 * (src/test/resources/jmh-smoke-sample.json; only its "jvm" field, the JDK's install path, was replaced by "java"),
 * and on the footprint JSON of a real {@code Footprint} run at 2^16 bits.
 */
class BenchReportTest {
    private static final File SAMPLE = new File("src/test/resources/jmh-smoke-sample.json");
    private static final File FOOTPRINT = new File("src/test/resources/footprint-smoke-sample.json");

    @Test
    void readsEveryResultWithParamsAndSecondaryMetrics() throws Exception {
        List<Result> rs = BenchReport.read(SAMPLE);
        assertThat(rs).isNotEmpty();
        assertThat(rs).allSatisfy(r -> {
            assertThat(r.mode()).isEqualTo("thrpt");
            assertThat(r.primary().unit()).isEqualTo("ops/s");
            assertThat(r.primary().score()).isPositive();
        });
        assertThat(rs).anySatisfy(r -> assertThat(r.secondary()).containsKey("distinctStates"));
        assertThat(rs).anySatisfy(r -> assertThat(r.params()).containsEntry("impl", "Roaring"));
    }

    @Test
    void ratioIsHBitmapScoreOverThePeersScoreForTheSameParameters() throws Exception {
        List<Result> rs = BenchReport.read(SAMPLE);
        Result h = rs.stream().filter(r -> r.benchmark().equals("BitmapBench.count")
                && r.param("impl").equals("HBitmap")).findFirst().orElseThrow();
        Result b = rs.stream().filter(r -> r.benchmark().equals("BitmapBench.count")
                && r.param("impl").equals("BitSet")).findFirst().orElseThrow();
        assertThat(BenchReport.ratio(b, rs)).contains(h.primary().score() / b.primary().score());
        assertThat(BenchReport.ratio(h, rs)).isEmpty();
    }

    @Test
    void writesOneTablePerOperationInMarkdownAndSelfContainedHtml(@TempDir Path dir) throws Exception {
        BenchReport.main(new String[] {SAMPLE.getPath(), dir.toString(), FOOTPRINT.getPath()});
        String md = Files.readString(dir.resolve("benchmarks.md"));
        String html = Files.readString(dir.resolve("benchmarks.html"));
        List<Result> rs = BenchReport.read(SAMPLE);
        for (Result r : rs) {
            assertThat(md).contains("## " + r.benchmark());
            assertThat(html).contains("<h2>" + r.benchmark() + "</h2>");
        }
        assertThat(md).contains("## Summary: HBitmap/peer", "Mode: thrpt (throughput, higher is better)",
                "HBitmap/peer", "## Memory retained per bitmap", "## Bytes on the wire",
                "## Bandwidth: serialization against System.arraycopy");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<style>")
                .doesNotContain("<script", "src=", "href=", "<link");
        // The ratio of the count table's BitSet row is in both pages, as the renderer formats it.
        Result h = rs.stream().filter(r -> r.benchmark().equals("BitmapBench.count")
                && r.param("impl").equals("HBitmap")).findFirst().orElseThrow();
        Result b = rs.stream().filter(r -> r.benchmark().equals("BitmapBench.count")
                && r.param("impl").equals("BitSet")).findFirst().orElseThrow();
        String cell = BenchReport.ratioCell(h.primary().score() / b.primary().score());
        assertThat(md).contains(cell);
        assertThat(html).contains(cell);
    }

    @Test
    void aCappedModelRowSaysSo() throws Exception {
        Result model28 = new Result("BitmapBench.iterate", "thrpt",
                new java.util.TreeMap<>(java.util.Map.of("impl", "Model", "log2Bits", "28", "dirty", "50")),
                new BenchReport.Metric(1, 0.1, "ops/s"), java.util.Map.of());
        assertThat(BenchReport.sizeCell(model28)).isEqualTo("2^28 (model capped at 2^20)");
        List<Table> tables = BenchReport.tables(List.of(model28), Optional.empty());
        assertThat(BenchReport.markdown("t", tables)).contains("model capped at 2\\^20");
    }
}
