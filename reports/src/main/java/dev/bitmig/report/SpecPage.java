package dev.bitmig.report;

import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The specification for people who do not read Java, generated from the model's sources: per action its rule (the QEMU
 * behaviour and where it comes from), its guards in words with QEMU's error text and its source, and its effect in
 * words, each linked to its line of code; then the policies and the invariants. The report includes it, and writes it
 * alone as spec.html.
 */
final class SpecPage {
    private SpecPage() {
    }

    static final String FILE = "spec.html";

    /** The heading of one action's rule. */
    static String heading(String action) {
        return "Action " + action;
    }

    /** The specification section (level-2 heading) of the report written into {@code out}. */
    static void section(Doc doc, Path out) {
        doc.h(2, "Specification");
        doc.p("The same specification is a page of its own beside this one: " + FILE + ".");
        rules(doc, out);
    }

    /** The specification alone, as a page of its own. */
    static Doc page(Path out) {
        Doc d = new Doc();
        d.h(1, "bitmig specification");
        rules(d, out);
        return d;
    }

    private static void rules(Doc doc, Path out) {
        Optional<Path> root = SpecDoc.root();
        if (root.isEmpty()) {
            doc.p("The model's sources (" + SpecDoc.MODEL_DIR + ") were not found from the working directory, so the "
                    + "specification is not included in this report. Run from the repository, or set -Dbitmig.root.");
            return;
        }
        try {
            String base = links(out, root.get());
            Path dir = root.get().resolve(SpecDoc.MODEL_DIR);
            List<SourceFile> policies = new ArrayList<>();
            for (Policy p : Policies.ALL) {
                policies.add(SourceFile.read(root.get(), SpecDoc.MODEL_DIR + "/" + p.getClass().getSimpleName() + ".java"));
            }
            SpecRules rules = new SpecRules(root.get(), policies);
            doc.p("Generated from the model's sources (" + SpecDoc.MODEL_DIR + "). Each action is one rule: the QEMU "
                    + "behaviour it models and where that comes from; its guards, tried in order, each refusing the "
                    + "action with QEMU's own error text (texts that start with \"bitmig:\" are the model's, where QEMU "
                    + "has no such state); then its effect. Every line links to the code it is read from. ‹name› in an "
                    + "error stands for the bitmap's name, ‹node› for source or target.");
            for (SpecRules.Rule r : rules.rules()) {
                rule(doc, r, base);
            }
            doc.h(3, "Policies");
            List<List<Doc.Cell>> prow = new ArrayList<>();
            for (Policy p : Policies.ALL) {
                List<Doc.Cell> row = new ArrayList<>();
                row.add(Doc.Cell.of(p.name()));
                row.add(Doc.Cell.of(p.description()));
                for (String h : SpecDoc.hooks(p, dir)) {
                    row.add(Doc.Cell.of(h));
                }
                prow.add(row);
            }
            List<String> ph = new ArrayList<>(List.of("policy", "description"));
            ph.addAll(SpecDoc.HOOKS);
            doc.table(new Doc.Table("policies", ph, prow, null));
            doc.h(3, "Invariants");
            List<List<Doc.Cell>> irow = new ArrayList<>();
            for (String[] i : SpecDoc.invariants(dir)) {
                irow.add(List.of(Doc.Cell.of(i[0]), Doc.Cell.of(i[1])));
            }
            doc.table(new Doc.Table("invariants", List.of("invariant", "in words"), irow, null));
        } catch (IOException e) {
            doc.p("The model's sources could not be read (" + e.getMessage() + "); the specification is not included.");
        }
    }

    private static void rule(Doc doc, SpecRules.Rule r, String base) {
        doc.h(3, heading(r.action()));
        doc.table(new Doc.Table("rule", List.of("QEMU's behaviour and where it comes from", "code"), List.of(List.of(Doc.Cell.of(r.description()),
                code(base, r.file(), r.line()))), null));
        List<List<Doc.Cell>> rows = new ArrayList<>();
        int k = 0;
        for (SpecRules.Guard g : r.guards()) {
            rows.add(List.of(Doc.Cell.of(Integer.toString(++k)), Doc.Cell.of(g.words()),
                    Doc.Cell.of(g.errors().isEmpty() ? "(the error the step gives)"
                            : String.join("\n", g.errors().stream().map(ErrorTexts.ErrorText::text).toList())),
                    Doc.Cell.of(g.source()), code(base, g.file(), g.line())));
        }
        if (rows.isEmpty()) {
            rows.add(List.of(Doc.Cell.of(""), Doc.Cell.of("never refused"), Doc.Cell.of(""), Doc.Cell.of(""),
                    Doc.Cell.of("")));
        }
        doc.table(new Doc.Table("guards", List.of("guard", "in words", "QEMU's error", "where it comes from", "code"),
                rows, null));
        doc.p("Effect: " + (r.effect().isEmpty() ? "as the rule says." : String.join(" ", r.effect())));
    }

    private static Doc.Cell code(String base, SourceFile f, int line) {
        return new Doc.Cell(f.name() + ":" + line, base + f.path() + "#L" + line, null, Map.of());
    }

    /** The relative path from the output directory to the repository root, ending in '/'. */
    static String links(Path out, Path root) {
        String rel = out.toAbsolutePath().normalize().relativize(root.toAbsolutePath().normalize()).toString()
                .replace('\\', '/');
        return rel.isEmpty() ? "" : rel + "/";
    }
}
