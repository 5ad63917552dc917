package dev.bitmig.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Thread-safe collector of wall-clock times of QMP round trips and other steps, for reports. */
public final class StepTimings {
    /** One measured step. */
    public record Step(String process, String step, long nanos, boolean ok) {
    }

    private final List<Step> steps = new ArrayList<>();

    public synchronized void record(String process, String step, long nanos, boolean ok) {
        steps.add(new Step(process, step, nanos, ok));
    }

    public synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    /** Median in milliseconds over all recorded steps whose name matches (null: all steps); NaN if none. */
    public double medianMillis(String step) {
        List<Long> ns = new ArrayList<>();
        for (Step s : steps()) {
            if (step == null || s.step().equals(step)) {
                ns.add(s.nanos());
            }
        }
        return percentileMillis(ns, 50);
    }

    static double percentileMillis(List<Long> nanos, int p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        int n = sorted.size();
        double v;
        if (p == 50 && n % 2 == 0) {
            v = (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
        } else {
            int idx = Math.max(0, Math.min(n - 1, (int) Math.ceil(p / 100.0 * n) - 1));
            v = sorted.get(idx);
        }
        return v / 1e6;
    }

    /** Per-step summary table: count, median, p90, max (milliseconds). */
    public String summary() {
        Map<String, List<Long>> by = new TreeMap<>();
        List<Long> all = new ArrayList<>();
        List<Long> qmpOk = new ArrayList<>();
        for (Step s : steps()) {
            by.computeIfAbsent(s.step(), k -> new ArrayList<>()).add(s.nanos());
            all.add(s.nanos());
            if (s.ok() && isQmpCommand(s.step())) {
                qmpOk.add(s.nanos());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-40s %6s %10s %10s %10s%n", "step", "count", "median_ms", "p90_ms", "max_ms"));
        for (Map.Entry<String, List<Long>> e : by.entrySet()) {
            line(sb, e.getKey(), e.getValue());
        }
        line(sb, "ALL steps", all);
        line(sb, "QMP commands answered", qmpOk);
        return sb.toString();
    }

    /** True for QMP round trips, false for launch, connection and event waits. */
    public static boolean isQmpCommand(String step) {
        return !step.equals("launch") && !step.startsWith("connect") && !step.startsWith("wait-event");
    }

    private static void line(StringBuilder sb, String name, List<Long> ns) {
        long max = ns.stream().mapToLong(Long::longValue).max().orElse(0);
        sb.append(String.format(Locale.ROOT, "%-40s %6d %10.3f %10.3f %10.3f%n", name, ns.size(),
                percentileMillis(ns, 50), percentileMillis(ns, 90), max / 1e6));
    }

    /** Appends the summary under a heading to a file (created with parent directories if needed). */
    public void appendTo(Path file, String heading) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, "## " + heading + System.lineSeparator() + summary() + System.lineSeparator(),
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }
}
