package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitmig.model.Release;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The findings of every QEMU release that ran, side by side: one column per release (from the {@code findings-*.json}
 * that {@link LiveCampaign#write} leaves in a directory), one row per finding and per counterexample replay, so that
 * a reader sees which findings reproduce on which version.
 */
final class FindingsSideBySide {
    private FindingsSideBySide() {
    }

    /** The release a QEMU version belongs to ("7.2" for 7.2.22, "10.0" for 10.0.2), or "unknown". */
    static String release(String qemuVersion) {
        try {
            return Release.ofVersion(qemuVersion).version();
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }

    static String of(Path dir) throws IOException {
        Map<String, JsonNode> runs = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("findings-.+\\.json")).sorted(
                    java.util.Comparator.comparing(p -> versionKey(p.getFileName().toString()))).toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            runs.put(name.substring("findings-".length(), name.length() - ".json".length()),
                    QmpClient.json().readTree(f.toFile()));
        }
        StringBuilder b = new StringBuilder("# bitmig on real QEMU: findings on each release\n\n");
        b.append("Each column is one run of the live campaign (`bitmig live`, or the tests of profile qemu-live) against "
                + "one QEMU, judged against the model of its release (QEMU_7_2 or QEMU_10_0). Each release's own page "
                + "has the sequences and steps.\n\n");
        List<String> releases = new ArrayList<>(runs.keySet());
        row(b, "", releases.stream().map(r -> "[QEMU " + runs.get(r).path("qemuVersion").asText() + "](findings-" + r
                + ".md)").toList());
        row(b, "---", releases.stream().map(r -> "---").toList());
        row(b, "sequences (agree / disagree / not mappable / harness errors)", releases.stream().map(r -> {
            JsonNode n = runs.get(r);
            return n.path("sequences").asInt() + " (" + n.path("agree").asInt() + " / " + n.path("disagree").asInt()
                    + " / " + n.path("unmappable").asInt() + " / " + n.path("errors").asInt() + ")";
        }).toList());
        row(b, "agreement", releases.stream().map(r -> String.format(Locale.ROOT, "%.1f%%",
                100 * runs.get(r).path("agreementRate").asDouble())).toList());
        row(b, "median ms per step", releases.stream().map(r -> String.format(Locale.ROOT, "%.1f",
                runs.get(r).path("medianStepMillis").asDouble())).toList());
        b.append("\n## Findings\n\n");
        Set<String> findings = new LinkedHashSet<>();
        runs.values().forEach(n -> n.path("findings").forEach(f -> findings.add(f.path("kind").asText() + ": "
                + f.path("signature").asText())));
        if (findings.isEmpty()) {
            b.append("None on any release.\n");
        } else {
            row(b, "finding", releases.stream().map(r -> "QEMU " + r).toList());
            row(b, "---", releases.stream().map(r -> "---").toList());
            for (String key : findings) {
                row(b, key, releases.stream().map(r -> cell(runs.get(r), key)).toList());
            }
        }
        b.append("\n## Counterexample replays\n\n");
        Set<String> names = new LinkedHashSet<>();
        runs.values().forEach(n -> n.path("replays").forEach(p -> names.add(p.path("name").asText())));
        if (!names.isEmpty()) {
            row(b, "counterexample", releases.stream().map(r -> "QEMU " + r).toList());
            row(b, "---", releases.stream().map(r -> "---").toList());
            for (String name : names) {
                row(b, name, releases.stream().map(r -> {
                    for (JsonNode p : runs.get(r).path("replays")) {
                        if (p.path("name").asText().equals(name)) {
                            return p.path("label").asText().replaceFirst(" on QEMU .*", "");
                        }
                    }
                    return "not run";
                }).toList());
            }
        }
        return b.toString();
    }

    /** How often a finding was seen in one run, with its verdict, or "not seen". */
    private static String cell(JsonNode run, String key) {
        for (JsonNode f : run.path("findings")) {
            if ((f.path("kind").asText() + ": " + f.path("signature").asText()).equals(key)) {
                return f.path("id").asText() + ", " + f.path("occurrences").asInt() + " sequence(s), "
                        + f.path("verdict").asText();
            }
        }
        return "not seen";
    }

    private static void row(StringBuilder b, String head, List<String> cells) {
        b.append("| ").append(head.replace("|", "\\|"));
        cells.forEach(c -> b.append(" | ").append(c.replace("|", "\\|")));
        b.append(" |\n");
    }

    private static double versionKey(String file) {
        try {
            return Double.parseDouble(file.replaceAll("findings-|\\.json", ""));
        } catch (NumberFormatException e) {
            return Double.MAX_VALUE;
        }
    }
}
