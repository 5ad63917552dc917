package dev.bitmig.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.bench.BenchReport.Metric;
import dev.bitmig.bench.BenchReport.Result;
import dev.bitmig.bench.BenchReport.Table;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The before/after table: ratios to the fastest comparable peer of the same run, serialization to arraycopy. */
class BeforeAfterTest {

    private static Result result(String bench, String impl, String bits, String dirty, double score) {
        Map<String, String> params = new java.util.TreeMap<>();
        if (!impl.isEmpty()) {
            params.put("impl", impl);
        }
        params.put("log2Bits", bits);
        if (!dirty.isEmpty()) {
            params.put("dirty", dirty);
        }
        return new Result("BitmapBench." + bench, "thrpt", params, new Metric(score, 0, "ops/s"), Map.of());
    }

    private static List<String> row(Table t, String op, String bits) {
        return t.rows().stream().filter(r -> r.get(0).equals(op) && r.get(1).equals("2^" + bits)).findFirst()
                .orElseThrow();
    }

    @Test
    void eachRatioIsToTheFastestPeerThatRanAtTheAskedSize() {
        List<Result> rs = List.of(
                result("merge", "HBitmap", "28", "", 300),
                result("merge", "HBitmapBefore", "28", "", 30),
                result("merge", "BitSet", "28", "", 200),
                result("merge", "Roaring", "28", "", 100),
                result("merge", "Model", "28", "", 1000), // capped at 2^24: not comparable
                result("serialize", "HBitmap", "28", "", 50),
                result("serialize", "HBitmapBefore", "28", "", 5),
                result("serialize", "BitSet", "28", "", 500),
                result("arraycopy", "", "28", "", 100));
        Table t = BeforeAfter.table(rs).orElseThrow();
        assertThat(row(t, "merge", "28")).containsExactly("merge", "2^28", "BitSet", "200.0", "0.150×", "1.50×",
                "10.00×", "≥ 1.00×", "yes");
        assertThat(row(t, "serialize, vs arraycopy bandwidth", "28")).containsExactly(
                "serialize, vs arraycopy bandwidth", "2^28", "System.arraycopy", "100.0", "0.0500×", "0.500×",
                "10.00×", "≥ 0.500×", "yes");
        assertThat(t.rows()).hasSize(2);
    }

    @Test
    void aRatioBelowItsTargetIsMarkedAndOperationsWithoutATargetAreNot() {
        List<Result> rs = List.of(
                result("write", "HBitmap", "24", "", 90),
                result("write", "HBitmapBefore", "24", "", 60),
                result("write", "BitSet", "24", "", 100),
                result("count", "HBitmap", "24", "", 5),
                result("count", "HBitmapBefore", "24", "", 5),
                result("count", "BitSet", "24", "", 1));
        Table t = BeforeAfter.table(rs, "Load: busy.").orElseThrow();
        assertThat(row(t, "write", "24")).endsWith("0.900×", "1.50×", "≥ 1.00×", "no");
        assertThat(row(t, "count", "24")).endsWith("—", "—");
        assertThat(t.note()).endsWith(" Load: busy.");
    }

    @Test
    void theLoadNoteGivesTheLoadAveragesAtTheStartAndTheEndOfTheRun() {
        assertThat(BenchReport.loadNote(List.of("start 1.52 1.20 0.90 2", "end 3.00 2.10 1.00 2"))).isEqualTo(
                "Machine load averages (1 / 5 / 15 min) during this run, on 2 cores: start 1.52 / 1.20 / 0.90;"
                        + " end 3.00 / 2.10 / 1.00. A load above the number of cores means the benchmarks shared them.");
        assertThat(BenchReport.loadNote(List.of("garbage"))).isEmpty();
    }

    @Test
    void aRunWithoutTheFrozenCopyHasNoTable() {
        assertThat(BeforeAfter.table(List.of(result("merge", "HBitmap", "24", "", 1),
                result("merge", "BitSet", "24", "", 1)))).isEmpty();
    }
}
