package dev.bitmig.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Renders JMH's JSON result ({@code -rf json}) as a Markdown page and a self-contained HTML page: one table per
 * operation, a row per implementation and size, score ± error, unit, and the ratio HBitmap/peer. Every benchmark
 * here runs in throughput mode, so a ratio above 1 means HBitmap is faster. With the footprint JSON of
 * {@link Footprint} it adds the memory and wire-size tables.
 *
 * <p>Usage: {@code BenchReport [jmh-result.json [out-dir [footprint.json [load.txt]]]]}, by default
 * {@code bench/target/jmh-result.json}, {@code bench/target/bench-report}, {@code bench/target/footprint.json},
 * {@code bench/target/load.txt} (the machine's load averages at the start and the end of the run, as
 * {@code bench/run} writes them; left out of the report when absent).
 */
public final class BenchReport {

    /** One JMH result: the benchmark as {@code Class.method}, its parameters and metrics. */
    public record Result(String benchmark, String mode, Map<String, String> params, Metric primary,
                         Map<String, Metric> secondary) {
        public String op() {
            return benchmark.substring(benchmark.indexOf('.') + 1);
        }

        public String className() {
            return benchmark.substring(0, benchmark.indexOf('.'));
        }

        public String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    public record Metric(double score, double error, String unit) { }

    /** A titled table with an explanation above it. */
    public record Table(String title, String note, List<String> header, List<List<String>> rows) { }

    private static final List<String> ORDER = List.of("BitmapBench.write", "BitmapBench.resetAligned",
            "BitmapBench.iterate", "BitmapBench.count", "BitmapBench.merge", "BitmapBench.clear",
            "BitmapBench.serialize", "BitmapBench.deserialize", "BitmapBench.sha256", "BitmapBench.arraycopy",
            "StreamBench.encode", "StreamBench.decode", "CheckerBench.explore", "ChainBench.model",
            "ChainBench.impl", "ChainBench.lockstep");

    private static final Map<String, String> DESCRIPTION = Map.ofEntries(
            Map.entry("write", "Random guest writes of 4 KiB to 1 MiB (1 to 17 bits of 64 KiB), into a bitmap that"
                    + " is clean at the start of each 1 s iteration; one write per operation."),
            Map.entry("resetAligned", "Aligned resets of 1 to 16 granules on a bitmap that is 50 % dirty at the start"
                    + " of each iteration; one reset per operation."),
            Map.entry("iterate", "One full next-dirty walk over every dirty bit, in order."),
            Map.entry("count", "Number of dirty bits of a 1 % dirty bitmap."),
            Map.entry("merge", "a |= b, both 1 % dirty (different patterns)."),
            Map.entry("clear", "Clearing a 1 % dirty bitmap (a fresh copy before every operation, not timed)."),
            Map.entry("serialize", "The whole 1 % dirty bitmap in the implementation's own format: HBitmap"
                    + " serializePart (QEMU's little-endian last level), BitSet.toLongArray, Roaring serialize(ByteBuffer),"
                    + " the model's set written out as QEMU's last level."),
            Map.entry("deserialize", "The inverse: HBitmap deserializePart (with the upper levels rebuilt),"
                    + " BitSet.valueOf, Roaring deserialize(ByteBuffer), the model's set read back from the last level."),
            Map.entry("sha256", "SHA-256 of the last level as QEMU's hbitmap_sha256 defines it (all words,"
                    + " little-endian), 1 % dirty."),
            Map.entry("arraycopy", "Bandwidth baseline: System.arraycopy of 2^log2Bits / 8 bytes, the size of the"
                    + " last level."),
            Map.entry("encode", "Encoding one HBitmap of 2^log2Bits bits (1 TiB at 2^24) into the dirty-bitmap migration"
                    + " stream, setup and completion sections; wireBytes is stream bytes produced per second."),
            Map.entry("decode", "Decoding that stream on the destination into a new HBitmap; wireBytes is stream bytes"
                    + " consumed per second."),
            Map.entry("explore", "The exhaustive explorer, Bounds.DEFAULT.withDepth(depth), policy QEMU_10_0;"
                    + " score = explorations per second, distinctStates = distinct states per second. refinement=impl"
                    + " concretizes every model world into an ImplSystem, steps it and compares."),
            Map.entry("model", "Random chains of 20 actions from Next.actions(Bounds.DEFAULT.alphabet()) on the model (Spec)"
                    + " alone, steps per second."),
            Map.entry("impl", "The same chains on ImplSystem alone (each step also computes the abstraction)."),
            Map.entry("lockstep", "The same chains on both in lockstep, comparing outcome and abstraction after every"
                    + " step."));

    private BenchReport() {
    }

    public static void main(String[] args) throws IOException {
        File in = new File(args.length > 0 ? args[0] : "bench/target/jmh-result.json");
        File outDir = new File(args.length > 1 ? args[1] : "bench/target/bench-report");
        File footprint = new File(args.length > 2 ? args[2] : "bench/target/footprint.json");
        File loadFile = new File(args.length > 3 ? args[3] : "bench/target/load.txt");
        List<Result> results = read(in);
        Optional<JsonNode> fp = footprint.isFile() ? Optional.of(new ObjectMapper().readTree(footprint))
                : Optional.empty();
        String load = loadFile.isFile() ? loadNote(Files.readAllLines(loadFile.toPath(), StandardCharsets.UTF_8)) : "";
        List<Table> tables = tables(results, fp, load);
        outDir.mkdirs();
        String title = "bitmig benchmarks";
        Files.writeString(new File(outDir, "benchmarks.md").toPath(), markdown(title, tables), StandardCharsets.UTF_8);
        Files.writeString(new File(outDir, "benchmarks.html").toPath(), html(title, tables), StandardCharsets.UTF_8);
        System.out.println("wrote " + new File(outDir, "benchmarks.md") + " and " + new File(outDir, "benchmarks.html")
                + " from " + results.size() + " results");
    }

    // ------------------------------------------------------------------------------------------------ reading

    public static List<Result> read(File json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        List<Result> out = new ArrayList<>();
        for (JsonNode n : root) {
            String full = n.get("benchmark").asText();
            String[] parts = full.split("\\.");
            String benchmark = parts[parts.length - 2] + "." + parts[parts.length - 1];
            Map<String, String> params = new TreeMap<>();
            if (n.has("params")) {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.get("params").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    params.put(e.getKey(), e.getValue().asText());
                }
            }
            Map<String, Metric> secondary = new TreeMap<>();
            if (n.has("secondaryMetrics")) {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.get("secondaryMetrics").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    secondary.put(e.getKey(), metric(e.getValue()));
                }
            }
            out.add(new Result(benchmark, n.get("mode").asText(), params, metric(n.get("primaryMetric")), secondary));
        }
        return out;
    }

    private static Metric metric(JsonNode m) {
        double err = m.get("scoreError").isNumber() ? m.get("scoreError").asDouble() : Double.NaN;
        return new Metric(m.get("score").asDouble(), err, m.get("scoreUnit").asText());
    }

    // ------------------------------------------------------------------------------------------------ tables

    /** Which dirty share the model's size cap was computed for, per bitmap operation. */
    static double capFraction(Result r) {
        return switch (r.op()) {
            case "write" -> 0;
            case "resetAligned" -> 0.5;
            case "iterate" -> Fixtures.fraction(r.param("dirty"));
            default -> 0.01;
        };
    }

    /** "2^24", or "2^28 (model capped at 2^24)" when the model ran smaller than asked. */
    static String sizeCell(Result r) {
        String bits = r.param("log2Bits");
        if (bits.isEmpty()) {
            return "";
        }
        int asked = Integer.parseInt(bits);
        if (r.param("impl").equals(BitmapKind.Model.name())) {
            int eff = ModelCap.effectiveLog2Bits(BitmapKind.Model, asked, capFraction(r));
            if (eff != asked) {
                return "2^" + asked + " (model capped at 2^" + eff + ")";
            }
        }
        return "2^" + asked;
    }

    /** HBitmap's score over the row's, for the row with the same parameters but the implementation. */
    static Optional<Double> ratio(Result r, List<Result> all) {
        if (!r.params().containsKey("impl") || r.param("impl").equals(BitmapKind.HBitmap.name())) {
            return Optional.empty();
        }
        Map<String, String> want = new TreeMap<>(r.params());
        want.put("impl", BitmapKind.HBitmap.name());
        return all.stream().filter(o -> o.benchmark().equals(r.benchmark()) && o.params().equals(want)).findFirst()
                .map(h -> h.primary().score() / r.primary().score());
    }

    /**
     * The load note from the lines of {@code load.txt}, each a label, the 1, 5 and 15 minute load averages and the
     * number of cores, as bench/run writes them: "start 1.52 1.20 0.90 2".
     */
    static String loadNote(List<String> lines) {
        List<String> parts = new ArrayList<>();
        String cores = "";
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4) {
                parts.add(f[0] + " " + f[1] + " / " + f[2] + " / " + f[3]);
                cores = f[f.length - 1];
            }
        }
        if (parts.isEmpty()) {
            return "";
        }
        return "Machine load averages (1 / 5 / 15 min) during this run, on " + cores + " cores: "
                + String.join("; ", parts) + ". A load above the number of cores means the benchmarks shared them.";
    }

    public static List<Table> tables(List<Result> results, Optional<JsonNode> footprint) {
        return tables(results, footprint, "");
    }

    public static List<Table> tables(List<Result> results, Optional<JsonNode> footprint, String load) {
        List<Table> tables = new ArrayList<>();
        Map<String, List<Result>> byBench = new LinkedHashMap<>();
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingInt((Result r) -> {
            int i = ORDER.indexOf(r.benchmark());
            return i < 0 ? ORDER.size() : i;
        }).thenComparing(Result::benchmark));
        for (Result r : sorted) {
            byBench.computeIfAbsent(r.benchmark(), k -> new ArrayList<>()).add(r);
        }
        BeforeAfter.table(results, load).ifPresent(tables::add);
        tables.add(summary(results));
        for (var e : byBench.entrySet()) {
            tables.add(e.getValue().get(0).params().containsKey("impl") ? bitmapTable(e.getKey(), e.getValue(), results)
                    : plainTable(e.getKey(), e.getValue()));
        }
        bandwidth(results).ifPresent(tables::add);
        footprint.ifPresent(fp -> {
            tables.add(memoryTable(fp));
            tables.add(wireTable(fp));
        });
        return tables;
    }

    private static String modeNote(List<Result> rs) {
        String mode = rs.get(0).mode();
        return "Mode: " + mode + (mode.equals("thrpt") ? " (throughput, higher is better)" : "") + ".";
    }

    private static Comparator<Result> rowOrder() {
        return Comparator.comparingInt((Result r) -> r.param("log2Bits").isEmpty() ? 0
                        : Integer.parseInt(r.param("log2Bits")))
                .thenComparingDouble(r -> r.param("dirty").isEmpty() ? 0 : Double.parseDouble(r.param("dirty")))
                .thenComparingInt(r -> r.param("impl").isEmpty() ? 0 : BitmapKind.valueOf(r.param("impl")).ordinal());
    }

    private static Table bitmapTable(String bench, List<Result> rs, List<Result> all) {
        boolean dirty = rs.stream().anyMatch(r -> !r.param("dirty").isEmpty());
        List<String> header = new ArrayList<>(List.of("implementation", "bits"));
        if (dirty) {
            header.add("dirty");
        }
        header.addAll(List.of("score ± error", "unit", "HBitmap/peer"));
        List<List<String>> rows = new ArrayList<>();
        rs.stream().sorted(rowOrder()).forEach(r -> {
            List<String> row = new ArrayList<>(List.of(r.param("impl"), sizeCell(r)));
            if (dirty) {
                row.add(r.param("dirty") + " %");
            }
            row.add(scoreCell(r.primary()));
            row.add(r.primary().unit());
            row.add(ratio(r, all).map(BenchReport::ratioCell).orElse("—"));
            rows.add(row);
        });
        String op = rs.get(0).op();
        String note = DESCRIPTION.getOrDefault(op, "") + " " + modeNote(rs)
                + " HBitmap/peer = HBitmap's score ÷ the row's score: above 1 HBitmap is faster.";
        return new Table(bench, note.trim(), header, rows);
    }

    private static Table plainTable(String bench, List<Result> rs) {
        List<String> paramNames = new ArrayList<>();
        rs.forEach(r -> r.params().keySet().forEach(k -> {
            if (!paramNames.contains(k)) {
                paramNames.add(k);
            }
        }));
        List<String> secondaryNames = new ArrayList<>();
        rs.forEach(r -> r.secondary().keySet().forEach(k -> {
            if (!secondaryNames.contains(k)) {
                secondaryNames.add(k);
            }
        }));
        List<String> header = new ArrayList<>(paramNames);
        header.addAll(List.of("score ± error", "unit"));
        for (String s : secondaryNames) {
            header.add(s + " ± error");
            if (s.equals("wireBytes")) {
                header.add("bytes per operation");
            }
        }
        List<List<String>> rows = new ArrayList<>();
        rs.stream().sorted(rowOrder().thenComparing(r -> r.params().toString())).forEach(r -> {
            List<String> row = new ArrayList<>();
            for (String p : paramNames) {
                row.add(p.equals("log2Bits") ? "2^" + r.param(p) : r.param(p) + (p.equals("dirty") ? " %" : ""));
            }
            row.add(scoreCell(r.primary()));
            row.add(r.primary().unit());
            for (String s : secondaryNames) {
                Metric m = r.secondary().get(s);
                row.add(m == null ? "" : scoreCell(m) + " " + m.unit().replace("ops", s));
                if (s.equals("wireBytes")) {
                    row.add(m == null ? "" : num(m.score() / r.primary().score()));
                }
            }
            rows.add(row);
        });
        String note = DESCRIPTION.getOrDefault(rs.get(0).op(), "") + " " + modeNote(rs);
        return new Table(bench, note.trim(), header, rows);
    }

    /** HBitmap against each peer, one line per operation, size and dirty share. */
    private static Table summary(List<Result> results) {
        List<String> header = List.of("operation", "bits", "dirty", "vs before", "vs BitSet", "vs Roaring",
                "vs Model");
        List<List<String>> rows = new ArrayList<>();
        List<Result> hs = new ArrayList<>(results.stream()
                .filter(r -> r.param("impl").equals(BitmapKind.HBitmap.name())).toList());
        hs.sort(Comparator.comparingInt((Result r) -> {
            int i = ORDER.indexOf(r.benchmark());
            return i < 0 ? ORDER.size() : i;
        }).thenComparing(rowOrder()));
        for (Result h : hs) {
            List<String> row = new ArrayList<>(List.of(h.op(), "2^" + h.param("log2Bits"),
                    h.param("dirty").isEmpty() ? "" : h.param("dirty") + " %"));
            for (BitmapKind peer : List.of(BitmapKind.HBitmapBefore, BitmapKind.BitSet, BitmapKind.Roaring,
                    BitmapKind.Model)) {
                Map<String, String> want = new TreeMap<>(h.params());
                want.put("impl", peer.name());
                Optional<Result> p = results.stream()
                        .filter(o -> o.benchmark().equals(h.benchmark()) && o.params().equals(want)).findFirst();
                row.add(p.map(o -> ratioCell(h.primary().score() / o.primary().score())
                        + (sizeCell(o).contains("capped") ? " (capped)" : "")).orElse(""));
            }
            rows.add(row);
        }
        return new Table("Summary: HBitmap/peer",
                "Throughput ratio HBitmap ÷ peer for every bitmap operation (above 1: HBitmap is faster); \"before\""
                        + " is the frozen pre-rewrite HBitmap (HBitmapBefore) of the same run. "
                        + "\"(capped)\": the model ran at a smaller size than asked (see its table).",
                header, rows);
    }

    /** Serialize and SHA-256 as bandwidth of last-level bytes, next to System.arraycopy of the same bytes. */
    private static Optional<Table> bandwidth(List<Result> results) {
        List<Result> copies = results.stream().filter(r -> r.benchmark().equals("BitmapBench.arraycopy")).toList();
        if (copies.isEmpty()) {
            return Optional.empty();
        }
        List<String> header = List.of("operation", "implementation", "bits", "last-level bytes", "GB/s",
                "arraycopy GB/s", "÷ arraycopy");
        List<List<String>> rows = new ArrayList<>();
        results.stream().filter(r -> r.benchmark().equals("BitmapBench.serialize")
                        || r.benchmark().equals("BitmapBench.deserialize") || r.benchmark().equals("BitmapBench.sha256"))
                .sorted(Comparator.comparing(Result::op).thenComparing(rowOrder()))
                .forEach(r -> copies.stream().filter(c -> c.param("log2Bits").equals(r.param("log2Bits"))).findFirst()
                        .ifPresent(c -> {
                            int asked = Integer.parseInt(r.param("log2Bits"));
                            int eff = ModelCap.effectiveLog2Bits(BitmapKind.valueOf(r.param("impl")), asked, 0.01);
                            double bytes = (1L << eff) / 8.0;
                            double gbs = r.primary().score() * bytes / 1e9;
                            double copy = c.primary().score() * (1L << asked) / 8.0 / 1e9;
                            rows.add(List.of(r.op(), r.param("impl"), sizeCell(r), num(bytes), num(gbs), num(copy),
                                    num(gbs / copy)));
                        }));
        return Optional.of(new Table("Bandwidth: serialization against System.arraycopy",
                "Last-level bytes (bits / 8) handled per second, against System.arraycopy of as many bytes in the same"
                        + " run. Roaring's own format is smaller than the last level; its rate is still counted in"
                        + " last-level bytes so that the rows compare.", header, rows));
    }

    private static Table memoryTable(JsonNode fp) {
        List<String> header = List.of("implementation", "bits", "dirty", "retained bytes", "computed bytes",
                "HBitmap/peer");
        List<List<String>> rows = new ArrayList<>();
        Map<String, Long> hbytes = new TreeMap<>();
        for (JsonNode n : fp.get("memory")) {
            if (n.get("impl").asText().equals("HBitmap")) {
                hbytes.put(n.get("log2Bits").asText() + "/" + n.get("dirty").asText(), n.get("retainedBytes").asLong());
            }
        }
        for (JsonNode n : fp.get("memory")) {
            int asked = n.get("log2Bits").asInt();
            int eff = n.get("effectiveLog2Bits").asInt();
            long bytes = n.get("retainedBytes").asLong();
            long computed = n.get("computedBytes").asLong();
            Long h = hbytes.get(asked + "/" + n.get("dirty").asText());
            String impl = n.get("impl").asText();
            rows.add(List.of(impl, "2^" + asked + (eff != asked ? " (model capped at 2^" + eff + ")" : ""),
                    n.get("dirty").asText() + " %", num(bytes), computed < 0 ? "" : num(computed),
                    impl.equals("HBitmap") || h == null || bytes <= 0 ? "—" : ratioCell((double) h / bytes)));
        }
        return new Table("Memory retained per bitmap",
                fp.path("method").asText("") + ". Lower is better; HBitmap/peer below 1 means HBitmap is smaller."
                        + " Computed: HBitmap's allocated pages × 8 KiB, BitSet's words × 8,"
                        + " RoaringBitmap.getLongSizeInBytes().", header, rows);
    }

    private static Table wireTable(JsonNode fp) {
        List<String> header = List.of("bits", "dirty", "stream bytes", "last-level bytes", "Roaring serialized bytes");
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode n : fp.get("wire")) {
            rows.add(List.of("2^" + n.get("log2Bits").asText(), n.get("dirty").asText() + " %",
                    num(n.get("streamBytes").asDouble()), num(n.get("lastLevelBytes").asDouble()),
                    num(n.get("roaringSerializedBytes").asDouble())));
        }
        return new Table("Bytes on the wire",
                "Dirty-bitmap migration stream of one bitmap (setup + completion), against the raw last level and"
                        + " RoaringBitmap's serialized size of the same pattern. All-zero chunks travel as ZEROES records.",
                header, rows);
    }

    // ------------------------------------------------------------------------------------------------ formatting

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String scoreCell(Metric m) {
        return num(m.score()) + " ± " + (Double.isNaN(m.error()) ? "n/a" : num(m.error()));
    }

    static String ratioCell(double r) {
        return num(r) + "×";
    }

    public static String markdown(String title, List<Table> tables) {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        for (Table t : tables) {
            sb.append("## ").append(t.title()).append("\n\n");
            if (!t.note().isEmpty()) {
                sb.append(t.note()).append("\n\n");
            }
            sb.append('|');
            t.header().forEach(h -> sb.append(' ').append(mdCell(h)).append(" |"));
            sb.append("\n|");
            t.header().forEach(h -> sb.append("---|"));
            sb.append('\n');
            for (List<String> row : t.rows()) {
                sb.append('|');
                row.forEach(c -> sb.append(' ').append(mdCell(c)).append(" |"));
                sb.append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String mdCell(String s) {
        return s.replace("|", "\\|").replace("^", "\\^");
    }

    public static String html(String title, List<Table> tables) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:70em}"
                        + "table{border-collapse:collapse;margin-bottom:1.5em}"
                        + "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}"
                        + "th{background:#eee}td:first-child,th:first-child{text-align:left}"
                        + "p.note{color:#333;max-width:60em}</style></head><body>\n<h1>").append(esc(title))
                .append("</h1>\n");
        for (Table t : tables) {
            sb.append("<h2>").append(esc(t.title())).append("</h2>\n");
            if (!t.note().isEmpty()) {
                sb.append("<p class=\"note\">").append(esc(t.note())).append("</p>\n");
            }
            sb.append("<table><thead><tr>");
            t.header().forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
            sb.append("</tr></thead><tbody>\n");
            for (List<String> row : t.rows()) {
                sb.append("<tr>");
                row.forEach(c -> sb.append("<td>").append(esc(c)).append("</td>"));
                sb.append("</tr>\n");
            }
            sb.append("</tbody></table>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
