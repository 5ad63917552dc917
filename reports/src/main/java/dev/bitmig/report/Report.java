package dev.bitmig.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.check.Bounds;
import dev.bitmig.check.ClassFinding;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.Explorer;
import dev.bitmig.check.Replay;
import dev.bitmig.check.Trace;
import dev.bitmig.check.TraceFormatException;
import dev.bitmig.check.TraceJson;
import dev.bitmig.check.Verdict;
import dev.bitmig.check.VerdictMatrix;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Granules;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Lineage;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;
import dev.bitmig.model.scenario.Scenario;
import dev.bitmig.model.scenario.ScenarioRun;
import dev.bitmig.model.scenario.ThreadScenarios;
import io.vavr.collection.SortedSet;
import io.vavr.control.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Writes the report: index.html and REPORT.md with the same content, one HTML page and one trace per counterexample. */
public final class Report {
    private Report() {
    }

    /** What was written. */
    public record Result(Path index, Path markdown, VerdictMatrix matrix, ObjectNode json, List<Path> counterexamples) { }

    /**
     * Pages other runs wrote, copied in when they exist: the benchmarks (`bench/run`) and the checks against real QEMU
     * (`-Pqemu-live`). Each is included as its run wrote it; when a run has not happened, the report says so.
     */
    private static void otherRuns(Doc doc, Path out) throws IOException {
        doc.h(2, "Benchmarks and real QEMU");
        java.util.Optional<Path> root = SpecDoc.root();
        String[][] pages = {
            {"bench/target/bench-report/benchmarks.html", "benchmarks.html", "Benchmarks (bench/run)"},
            {"bench/target/bench-report/benchmarks.md", "benchmarks.md", null},
            {"qemu-live/target/findings.md", "qemu-findings.md", "Findings of the model against real QEMU (-Pqemu-live)"},
            {"qemu-live/target/checker-counterexamples.md", "qemu-counterexamples.md",
                "The checker's QEMU_7_2 or QEMU_10_0 counterexamples replayed on the QEMU of that release"},
        };
        List<List<Doc.Cell>> rows = new ArrayList<>();
        for (String[] p : pages) {
            Path from = root.map(r -> r.resolve(p[0])).orElse(null);
            boolean there = from != null && Files.isRegularFile(from);
            if (there) {
                Files.copy(from, out.resolve(p[1]), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (p[2] != null) {
                rows.add(List.of(Doc.Cell.of(p[2]), there ? new Doc.Cell(p[1], p[1], null, Map.of())
                        : Doc.Cell.of("not run in this checkout (" + p[0] + " is missing)")));
            }
        }
        doc.table(new Doc.Table("other-runs", List.of("evidence", "page"), rows, null));

        doc.h(3, "Mutation score per package");
        List<List<Doc.Cell>> scores = new ArrayList<>();
        for (String module : List.of("model", "reference-impl")) {
            Path xml = root.map(r -> r.resolve(module + "/target/pit-reports/mutations.xml")).orElse(null);
            if (xml == null || !Files.isRegularFile(xml)) {
                scores.add(List.of(Doc.Cell.of(module), Doc.Cell.of("not run in this checkout (mvn -Pmutation verify)"),
                        Doc.Cell.of(""), Doc.Cell.of(""), Doc.Cell.of("")));
                continue;
            }
            for (MutationScores.Score sc : MutationScores.read(module, xml)) {
                scores.add(List.of(Doc.Cell.of(module), Doc.Cell.of(sc.pkg()), Doc.Cell.of(Integer.toString(sc.killed())),
                        Doc.Cell.of(Integer.toString(sc.total())), Doc.Cell.of(sc.percent() + " %")));
            }
        }
        doc.table(new Doc.Table("mutation", List.of("module", "package", "killed", "mutants", "score"), scores, null));
    }

    /** reports/target/bitmig-report under the repository root, or target/bitmig-report under the working directory. */
    public static Path defaultOut() {
        return SpecDoc.root().map(r -> r.resolve("reports/target/bitmig-report")).orElse(Path.of("target/bitmig-report"));
    }

    public static Result generate(Path out, Bounds bounds, String configurationNote, Consumer<Explorer.Progress> progress)
            throws IOException, TraceFormatException {
        Files.createDirectories(out);
        int threads = Runtime.getRuntime().availableProcessors();
        VerdictMatrix m = VerdictMatrix.explore(Policies.ALL, bounds, threads, progress);
        ObjectNode json = m.toJson();
        Files.writeString(out.resolve("matrix.json"), json.toPrettyString() + "\n");

        Doc doc = new Doc();
        Doc ces = new Doc();
        List<Path> pages = new ArrayList<>();
        doc.h(1, "bitmig report");
        doc.h(2, "Configuration");
        doc.p("Made by " + Provenance.now(SpecDoc.root()).sentence());
        doc.p("Bounds: " + configurationNote + ": clusters " + bounds.clusters() + ", granularities "
                + bounds.granularities().mkString(",") + " (clusters of " + Geometry.CLUSTER_BYTES / 1024 + " KiB), names "
                + bounds.names().mkString(",") + ", depth " + bounds.depth() + ", longest write " + bounds.maxWrite()
                + ", read-only launch " + bounds.readOnlyLaunch() + ", inactive adds " + bounds.inactiveAdds()
                + ", write stride " + bounds.writeStride()
                + (bounds.without().isEmpty() ? "" : ", without " + bounds.without().mkString(","))
                + ". Explorer threads: " + threads + ".");

        // ------------------------------------------------------------ matrix
        doc.h(2, "Policy matrix");
        doc.p("Each cell: the invariant holds for every state reachable within the bounds (states explored, depth "
                + "reached), or is violated: in how many distinct classes, and the length of the shortest counterexample, "
                + "linked to its page. The classes are listed below the matrix.");
        List<String> header = new ArrayList<>(List.of("policy"));
        for (Invariant i : Invariant.values()) {
            header.add(i.title());
        }
        List<List<Doc.Cell>> rows = new ArrayList<>();
        for (ExplorationResult r : m.rows()) {
            List<Doc.Cell> row = new ArrayList<>();
            row.add(Doc.Cell.of(r.policy()));
            for (Invariant inv : Invariant.values()) {
                Verdict v = r.verdicts().get(inv).get();
                if (v instanceof Verdict.Holds h) {
                    row.add(new Doc.Cell("holds: " + h.states() + " states, depth " + h.depth(), null, "holds",
                            Doc.data("policy", r.policy(), "invariant", inv.title(), "verdict", "holds",
                                    "states", Long.toString(h.states()), "depth", Integer.toString(h.depth()))));
                } else {
                    Verdict.Violated x = (Verdict.Violated) v;
                    String page = "ce-" + Doc.slug(r.policy() + "-" + inv.title());
                    Trace t = VerdictMatrix.trace(r, inv, x);
                    TraceJson.write(t, out.resolve(page + ".json"));
                    Artifacts.write(t, out, page);
                    io.vavr.collection.List<ClassFinding> classes = r.classesOf(inv);
                    String shortest = classes.find(f -> f.counterexample().equals(x))
                            .orElse(classes.headOption()).map(f -> f.violationClass().name()).getOrElse("");
                    Doc ce = counterexample(t, page, shortest);
                    Files.writeString(out.resolve(page + ".html"), ce.html("Counterexample: " + r.policy() + " / " + inv.title()));
                    pages.add(out.resolve(page + ".html"));
                    ces.blocks.addAll(ce.blocks);
                    row.add(new Doc.Cell(cellText(shortest, classes.size(), x.actions().size()), page + ".html",
                            "violated", Doc.data("policy", r.policy(), "invariant", inv.title(), "verdict", "violated",
                            "length", Integer.toString(x.actions().size()), "class", shortest)));
                }
            }
            rows.add(row);
        }
        doc.table(new Doc.Table("matrix", header, rows, null));
        classSections(doc, ces, out, m, pages);
        List<List<Doc.Cell>> perf = new ArrayList<>();
        for (ExplorationResult r : m.rows()) {
            perf.add(List.of(Doc.Cell.of(r.policy()), Doc.Cell.of(Long.toString(r.distinct())),
                    Doc.Cell.of(Long.toString(r.generated())), Doc.Cell.of(Integer.toString(r.depth())),
                    Doc.Cell.of(String.format(Locale.ROOT, "%.1f", r.elapsedNanos() / 1e9)),
                    Doc.Cell.of(String.format(Locale.ROOT, "%.0f", r.distinctPerSecond()))));
        }
        doc.p("Exploration per policy:");
        doc.table(new Doc.Table("exploration", List.of("policy", "distinct states", "transitions", "depth", "seconds",
                "states/s"), perf, null));

        // ------------------------------------------------------------ thread scenarios
        doc.h(2, "Thread scenarios");
        doc.p("The 2018 thread's scenarios (ThreadScenarios.ALL, " + ThreadScenarios.CLUSTERS + " clusters) under each "
                + "policy: the invariants violated at some step, or \"none\".");
        List<String> sh = new ArrayList<>(List.of("scenario"));
        Policies.ALL.forEach(p -> sh.add(p.name()));
        List<List<Doc.Cell>> srows = new ArrayList<>();
        Geometry sg = new Geometry(ThreadScenarios.CLUSTERS);
        for (Scenario s : ThreadScenarios.ALL) {
            List<Doc.Cell> row = new ArrayList<>();
            row.add(Doc.Cell.of(s.id()));
            for (Policy p : Policies.ALL) {
                SortedSet<Invariant> v = ScenarioRun.of(s, new Spec(p, sg), World.initial(sg)).violated();
                row.add(new Doc.Cell(v.isEmpty() ? "none" : v.map(Invariant::title).mkString(", "), null,
                        v.isEmpty() ? "holds" : "violated", Doc.data("scenario", s.id(), "policy", p.name())));
            }
            srows.add(row);
        }
        doc.table(new Doc.Table("scenarios", sh, srows, null));

        // ------------------------------------------------------------ costs
        doc.h(2, "Cost per policy");
        doc.p("Measured by seeded runs (seed " + Costs.SEED + "): " + Costs.SEQUENCES + " random sequences of 1 to "
                + Costs.MAX_LENGTH + " actions on the model (ChainGenerator, Bounds.DEFAULT geometry, from BITMAP_LOADED). "
                + "Needless losses: Loss entries marked needless. Over-report ratio: reported granules ÷ granules covering "
                + "the lineage's truth, summed over usable bitmaps at the end of each sequence. Bytes stored at "
                + "inactivation: the bitmaps the policy stores when the source inactivates during a migration with the "
                + "capability on (found at " + Costs.PROBE_CLUSTERS + " clusters with one persistent 1%-dirty bitmap), "
                + "stored at full scale into the real qcow2 store: a 1 TiB disk, 64 KiB × granularity, 1% dirty; bytes "
                + "written to the device. Migration stream: the implementation's wire bytes for one persistent 1%-dirty "
                + "bitmap at 64 KiB on a " + Costs.WIRE_CLUSTERS + "-cluster (1 GiB) disk.");
        List<List<Doc.Cell>> crow = new ArrayList<>();
        for (Policy p : Policies.ALL) {
            Costs.Cost c = Costs.of(p, Bounds.DEFAULT);
            crow.add(List.of(Doc.Cell.of(p.name()),
                    Doc.Cell.of(String.format(Locale.ROOT, "%.1f", c.needlessPer1000())),
                    Doc.Cell.of(String.format(Locale.ROOT, "%.3f (%d / %d)", c.overReport(), c.reportedGranules(), c.trueGranules())),
                    Doc.Cell.of(c.storedAtInactivation().isEmpty() ? "none" : c.storedAtInactivation().mkString(", ")),
                    Doc.Cell.of(Long.toString(c.storedBytes())),
                    Doc.Cell.of(c.wireBytes() + (c.wireNote().isEmpty() ? "" : " (" + c.wireNote() + ")"))));
        }
        doc.table(new Doc.Table("costs", List.of("policy", "needless losses / 1000 sequences", "over-report ratio",
                "stored at inactivation", "bytes stored (1 TiB, 1% dirty)", "migration-stream bytes (1 GiB, 1% dirty)"),
                crow, null));

        // ------------------------------------------------------------ evidence from other runs
        otherRuns(doc, out);

        // ------------------------------------------------------------ spec
        SpecPage.section(doc, out);
        Files.writeString(out.resolve(SpecPage.FILE), SpecPage.page(out).html("bitmig specification"));

        // ------------------------------------------------------------ counterexamples (markdown only; HTML has pages)
        Doc md = new Doc();
        md.blocks.addAll(doc.blocks);
        md.h(2, "Counterexamples");
        // under "Counterexamples": a page's title one level below it, the page's sections one further
        md.blocks.addAll(ces.blocks.stream().map(b -> b instanceof Doc.Heading h
                ? new Doc.Heading(h.level() + 2, h.text(), h.key()) : b).toList());
        doc.h(2, "Counterexamples");
        doc.p("One page per violated cell, each with its step table, a QMP/HMP script, a Python reproducer and, where QEMU "
                + "7.2 can replay it, a qemu-iotests test; "
                + "the trace JSON beside each page replays with `bitmig replay`.");
        List<List<Doc.Cell>> links = new ArrayList<>();
        for (Path p : pages) {
            String f = p.getFileName().toString();
            links.add(List.of(new Doc.Cell(f.replace(".html", ""), f, null, Map.of()),
                    new Doc.Cell(f.replace(".html", ".json"), f.replace(".html", ".json"), null, Map.of())));
        }
        doc.table(new Doc.Table("counterexamples", List.of("page", "trace"), links, null));

        Path index = out.resolve("index.html");
        Files.writeString(index, doc.html("bitmig report"));
        Path mdFile = out.resolve("REPORT.md");
        Files.writeString(mdFile, md.md(href -> href.startsWith("ce-") && href.endsWith(".html") ? "#" + href.replace(".html", "") : href.replace("benchmarks.html", "benchmarks.md")));
        return new Result(index, mdFile, m, json, pages);
    }

    /**
     * A section per violated cell, a table row per violation class: its name, the length of its shortest
     * counterexample (linked to its own page and trace), and its explanation.
     */
    private static void classSections(Doc doc, Doc ces, Path out, VerdictMatrix m, List<Path> pages)
            throws IOException, TraceFormatException {
        doc.h(2, "Violation classes");
        doc.p("Every distinct way a policy breaks an invariant within the bounds. A class is recorded at the step that "
                + "breaks the invariant (its source state satisfies it); its name says where the copy lives, who wrote "
                + "what it missed and when, and how the migration ended (NoUnderReport), the step and the copies it left "
                + "(NoSilentLoss), or the pair of writers (SingleWriter).");
        for (ExplorationResult r : m.rows()) {
            for (Invariant inv : Invariant.values()) {
                io.vavr.collection.List<ClassFinding> found = r.classesOf(inv);
                if (found.isEmpty()) {
                    continue;
                }
                doc.h(3, r.policy() + " × " + inv.title());
                List<List<Doc.Cell>> rows = new ArrayList<>();
                int k = 0;
                for (ClassFinding f : found) {
                    String page = "ce-" + Doc.slug(r.policy() + "-" + inv.title()) + "-" + (++k);
                    Trace t = VerdictMatrix.trace(r, inv, f.counterexample());
                    TraceJson.write(t, out.resolve(page + ".json"));
                    Artifacts.write(t, out, page);
                    Doc ce = counterexample(t, page, f.violationClass().name());
                    ce.p("Class " + f.violationClass().name() + ": " + f.violationClass().explanation());
                    Files.writeString(out.resolve(page + ".html"), ce.html("Counterexample: " + r.policy() + " / "
                            + inv.title() + " / " + f.violationClass().name()));
                    pages.add(out.resolve(page + ".html"));
                    ces.blocks.addAll(ce.blocks);
                    rows.add(List.of(Doc.Cell.of(f.violationClass().name()),
                            new Doc.Cell(f.counterexample().actions().size() + " steps", page + ".html", null, Map.of()),
                            Doc.Cell.of(f.violationClass().explanation())));
                }
                doc.table(new Doc.Table("classes", List.of("class", "shortest counterexample", "explanation"), rows, null));
            }
        }
    }

    /**
     * A matrix cell of a violated invariant names the problem: the class of its shortest counterexample, how many
     * other classes there are, and the length.
     */
    static String cellText(String shortestClass, int classes, int length) {
        return "violated: " + shortestClass + (classes > 1 ? " and " + (classes - 1) + " more class"
                + (classes > 2 ? "es" : "") : "") + " (shortest: " + length + " steps)";
    }

    static Doc counterexample(Trace t, String page, String violationClass) throws TraceFormatException {
        Replay r = Replay.of(t);
        Geometry g = t.configuration().geometry();
        Doc d = new Doc();
        d.blocks.add(new Doc.Heading(1, "Counterexample: " + t.policy() + " / " + t.invariant()
                + (violationClass.isEmpty() ? "" : " / " + violationClass), page));
        d.p("Policy " + t.policy() + " breaks " + t.invariant() + " in " + t.actions().size() + " steps from the initial world "
                + t.initial() + " (" + t.configuration().clusters() + " clusters): " + t.message());
        d.blocks.add(new Doc.Figure("timeline", "Timeline: the lanes of the source QEMU, the target QEMU, the image "
                + "and other tools; each numbered mark is an action (dashed: rejected), bands show run state and "
                + "active or inactive, shading the migration's phases.", Pictures.timeline(t, r)));
        d.blocks.add(new Doc.Figure("strips", "Per bitmap and step, one square per cluster: red where it changed and "
                + "the bitmap does not report it (an under-report), green where it changed and is reported, pale where "
                + "reported but unchanged.", Pictures.strips(t, r)));
        d.h(2, "Steps " + page);
        d.p(NOTATION);
        List<String> header = List.of("step", "action", "outcome", "source", "target", "bitmaps: reported / truth (clusters)",
                "image entries", "violation");
        List<List<Doc.Cell>> rows = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        World initial = t.initial().build(t.configuration());
        rows.add(stepRow("0", "(initial " + t.initial() + ")", "", initial, g, Option.none()));
        classes.add("");
        boolean broke = false;
        for (int i = 0; i < t.actions().size(); i++) {
            Outcome o = r.outcomes().get(i);
            Option<String> v = r.violations().get(i);
            rows.add(stepRow(Integer.toString(i + 1), t.actions().get(i).toString(),
                    o instanceof Outcome.Failed f ? "failed: " + f.reason()
                            : o instanceof Outcome.Rejected rej ? "rejected: " + rej.reason() : "ok", r.worlds().get(i), g, v));
            classes.add(!broke && v.isDefined() ? "break" : "");
            broke |= v.isDefined();
        }
        d.table(new Doc.Table("steps", header, rows, classes));
        Iotest.Result iotest = Iotest.of(t, Artifacts.iotestName(page));
        d.h(2, "qemu-iotests test " + page);
        if (iotest.generated()) {
            d.pre("iotest", iotest.test());
        } else {
            d.p("No qemu-iotests test: " + iotest.whyNot() + ".");
        }
        d.p("Trace: " + page + ".json (bitmig replay " + page + ".json)");
        d.table(Artifacts.links(t, page));
        return d;
    }

    /** The legend of the step table's notation. */
    static final String NOTATION = "Notation: \"target:a {} / {0} persistent\" is bitmap a in the target QEMU's RAM; "
            + "it reports the clusters before the slash ({}: none) and the truth is after it ({0}: cluster 0 changed "
            + "while the bitmap was meant to record), so cluster 0 is missed. Flags follow: persistent, disabled, "
            + "inconsistent. An image entry \"a {0} / {0} IN_USE\" is bitmap a stored in the qcow2 image, in the same "
            + "notation; IN_USE means a QEMU has it loaded (it loads as inconsistent after a crash), \"autoclear bit "
            + "clear\" that a tool without bitmap support wrote the image, which makes every entry stale. Source and "
            + "target: run state / block state (ACTIVE owns the image, INACTIVE neither writes nor records).";

    static String camel(String s) {
        StringBuilder b = new StringBuilder();
        for (String part : s.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        return b.toString();
    }

    private static List<Doc.Cell> stepRow(String step, String action, String outcome, World w, Geometry g, Option<String> v) {
        StringBuilder bitmaps = new StringBuilder();
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            for (var e : n.bitmaps()) {
                Bitmap b = e._2;
                SortedSet<Integer> truth = w.ghost().lineages().get(b.lineage()).map(Lineage::truth).getOrElse(Granules.NONE);
                bitmaps.append(id.lower()).append(':').append(e._1).append(' ')
                        .append(Granules.clusters(b.reported(), b.granularity(), g).mkString("{", ",", "}")).append(" / ")
                        .append(truth.mkString("{", ",", "}"))
                        .append(b.inconsistent() ? " inconsistent" : "").append(b.enabled() ? "" : " disabled")
                        .append(b.persistent() ? " persistent" : "").append('\n');
            }
        }
        StringBuilder image = new StringBuilder(w.image().autoclear() ? "" : "autoclear bit clear\n");
        for (var e : w.image().directory()) {
            StoredBitmap s = e._2;
            SortedSet<Integer> truth = w.ghost().lineages().get(s.lineage()).map(Lineage::truth).getOrElse(Granules.NONE);
            image.append(e._1).append(' ').append(Granules.clusters(s.granules(), s.granularity(), g).mkString("{", ",", "}"))
                    .append(" / ").append(truth.mkString("{", ",", "}")).append(s.inUse() ? " IN_USE" : "").append('\n');
        }
        return List.of(Doc.Cell.of(step), Doc.Cell.of(action), Doc.Cell.of(outcome),
                Doc.Cell.of(w.source().run() + " / " + w.source().block()),
                Doc.Cell.of(w.target().run() + " / " + w.target().block()),
                Doc.Cell.of(bitmaps.toString().strip()), Doc.Cell.of(image.toString().strip()), Doc.Cell.of(v.getOrElse("")));
    }
}
