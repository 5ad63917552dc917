package dev.bitmig.bench;

import dev.bitmig.bench.BenchReport.Result;
import dev.bitmig.bench.BenchReport.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The before/after table of the "HBitmap at peer speed" rewrite: for each operation and size, HBitmap's throughput
 * over the best peer's, for the frozen pre-rewrite copy ({@link BitmapKind#HBitmapBefore}) and for the current
 * HBitmap, all from one run. Serialization is compared with {@code System.arraycopy} of the same bytes.
 */
final class BeforeAfter {
    private BeforeAfter() {
    }

    /**
     * One line of the table: a benchmark, an optional dirty share, a fixed peer (empty: the best one) and the ratio
     * "after ÷ peer" the issue asks for (0: none).
     */
    private record Op(String label, String benchmark, String dirty, Optional<BitmapKind> peer, double target) { }

    private static final List<Op> OPS = List.of(
            new Op("write", "BitmapBench.write", "", Optional.empty(), 1),
            new Op("aligned reset", "BitmapBench.resetAligned", "", Optional.empty(), 1),
            new Op("merge", "BitmapBench.merge", "", Optional.empty(), 1),
            new Op("iterate at 1 %", "BitmapBench.iterate", "1", Optional.empty(), 1),
            new Op("iterate at 1 %, batch API", "BitmapBench.iterateBatch", "1", Optional.empty(), 1),
            new Op("sparse iterate at 0.01 %", "BitmapBench.iterate", "0.01", Optional.empty(), 0),
            new Op("sparse iterate at 0.01 %, vs BitSet", "BitmapBench.iterate", "0.01", Optional.of(BitmapKind.BitSet),
                    10),
            new Op("serialize, vs arraycopy bandwidth", "BitmapBench.serialize", "", Optional.empty(), 0.5),
            new Op("SHA-256", "BitmapBench.sha256", "", Optional.empty(), 0),
            new Op("count", "BitmapBench.count", "", Optional.empty(), 0));

    private static final List<BitmapKind> PEERS = List.of(BitmapKind.BitSet, BitmapKind.Roaring, BitmapKind.Model);

    /** The table, or empty when the run has no HBitmapBefore results. */
    static Optional<Table> table(List<Result> results) {
        return table(results, "");
    }

    /** The table, with {@code load} (how busy the machine was during the run; may be empty) in its note. */
    static Optional<Table> table(List<Result> results, String load) {
        if (results.stream().noneMatch(r -> r.param("impl").equals(BitmapKind.HBitmapBefore.name()))) {
            return Optional.empty();
        }
        TreeSet<Integer> sizes = new TreeSet<>();
        results.stream().filter(r -> r.benchmark().startsWith("BitmapBench.") && !r.param("log2Bits").isEmpty())
                .forEach(r -> sizes.add(Integer.parseInt(r.param("log2Bits"))));
        List<List<String>> rows = new ArrayList<>();
        for (Op op : OPS) {
            for (int bits : sizes) {
                row(op, String.valueOf(bits), results).ifPresent(rows::add);
            }
        }
        return Optional.of(new Table("Before/after: HBitmap ÷ best peer",
                "Throughput of the HBitmap before the page-wise rewrite (a frozen copy, HBitmapBefore) and after it,"
                        + " each divided by the fastest peer at the same size and dirty share in this run (BitSet,"
                        + " Roaring, or the model where it ran uncapped). Serialize is divided by System.arraycopy of"
                        + " the same number of bytes, so its ratio is the share of copy bandwidth reached. Above 1:"
                        + " HBitmap is faster. Target: the ratio after ÷ peer that the issue asks for, and whether this"
                        + " run reached it." + (load.isEmpty() ? "" : " " + load),
                List.of("operation", "bits", "best peer", "peer ops/s", "before ÷ peer", "after ÷ peer",
                        "after ÷ before", "target", "reached"), rows));
    }

    private static Optional<List<String>> row(Op op, String bits, List<Result> results) {
        Optional<Result> after = find(results, op.benchmark(), bits, op.dirty(), BitmapKind.HBitmap);
        Optional<Result> before = find(results, op.benchmark(), bits, op.dirty(), BitmapKind.HBitmapBefore);
        if (after.isEmpty() || before.isEmpty()) {
            return Optional.empty();
        }
        String peerName;
        Optional<Result> peer;
        if (op.benchmark().equals("BitmapBench.serialize")) {
            peerName = "System.arraycopy";
            peer = results.stream().filter(r -> r.benchmark().equals("BitmapBench.arraycopy")
                    && r.param("log2Bits").equals(bits)).findFirst();
        } else {
            peer = (op.peer().isPresent() ? op.peer().map(List::of).get() : PEERS).stream()
                    .flatMap(k -> find(results, op.benchmark(), bits, op.dirty(), k).stream())
                    .filter(r -> !BenchReport.sizeCell(r).contains("capped"))
                    .max(Comparator.comparingDouble(r -> r.primary().score()));
            peerName = peer.map(r -> r.param("impl")).orElse("");
        }
        if (peer.isEmpty()) {
            return Optional.empty();
        }
        double p = peer.get().primary().score();
        double b = before.get().primary().score();
        double a = after.get().primary().score();
        String target = op.target() > 0 ? "≥ " + BenchReport.ratioCell(op.target()) : "—";
        String reached = op.target() > 0 ? (a / p >= op.target() ? "yes" : "no") : "—";
        return Optional.of(List.of(op.label(), "2^" + bits, peerName, BenchReport.num(p), BenchReport.ratioCell(b / p),
                BenchReport.ratioCell(a / p), BenchReport.ratioCell(a / b), target, reached));
    }

    private static Optional<Result> find(List<Result> results, String benchmark, String bits, String dirty,
                                         BitmapKind kind) {
        return results.stream().filter(r -> r.benchmark().equals(benchmark) && r.param("log2Bits").equals(bits)
                && r.param("dirty").equals(dirty) && r.param("impl").equals(kind.name())).findFirst();
    }
}
