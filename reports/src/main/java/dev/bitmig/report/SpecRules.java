package dev.bitmig.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model's rules, read from its sources for people who do not read Java: for every action (one
 * {@code visit(Action.X a)} of Transitions.java), its guards in words with the error each gives and where it comes
 * from, the refusals of the shared steps it takes, and its effect in words, each with the line of code it comes from.
 */
final class SpecRules {
    /**
     * One guard: the condition in words and as code (or, for a shared step's refusals, the call), the line, the errors
     * it gives, and where it comes from.
     */
    record Guard(String words, String code, SourceFile file, int line, List<ErrorTexts.ErrorText> errors, String source) {
        /** Whether the words are read from a condition of the code (not a shared step's description). */
        boolean isCondition() {
            return !code.startsWith("return ") && !code.endsWith("(…) refuses");
        }

        /** The same guard for a step that fails after changing the world: "fails if …" instead of "refused if …". */
        /** A failure that changed the world: QEMU aborted (gone), or an error after a change that stays. */
        Guard failing(boolean gone) {
            String how = gone ? "fails, QEMU gone, if " : "fails, its change kept, if ";
            return new Guard(words.replaceFirst("^refused if ", how), code, file, line, errors, source);
        }
    }

    /** One action's rule: the Javadoc (QEMU's behaviour and its source), guards, shared refusals and effect. */
    record Rule(String action, SourceFile file, int line, String description, List<Guard> guards, List<String> effect) { }

    /** The files read: the rules, the shared steps, the named factories, and the error texts last. */
    static final List<String> FILES = List.of("Transitions.java", "BitmapRules.java", "JobRules.java", "OfflineRules.java",
            "Lifecycle.java",
            "Persistence.java",
            "Effects.java",
            "Backups.java",
            "Bitmap.java", "StoredBitmap.java", "Lineage.java", "QemuErrors.java");

    private static final Pattern VISIT = Pattern.compile("public Outcome visit\\(Action\\.(\\w+) a\\) \\{");
    private static final Pattern ONE_LINE_GUARD = Pattern.compile("^if \\((.*)\\) return (rejected|failed|Option\\.some)\\((.*)\\);$");
    private static final Pattern OPEN_GUARD = Pattern.compile("^if \\((.*)\\) \\{$");
    private static final Pattern REJECTION = Pattern.compile("^return (rejected|Option\\.some|Either\\.left)\\((.*)\\);$");
    private static final Pattern ASSIGNMENT = Pattern.compile("^(?:Option<String>|Either<String, World>) (\\w+) = (.*);$");
    private static final Pattern CALL = Pattern.compile("(?:\\b(life|Lifecycle|Persistence|Effects|backups|Backups|Bitmap|StoredBitmap|Lineage|policy)\\.)?\\b(\\w+)\\(");

    /**
     * The files whose visit methods are the rules: Transitions.java, then BitmapRules.java (the QMP bitmap commands),
     * JobRules.java (the block jobs) and OfflineRules.java (qemu-img's offline edits).
     */
    private final List<SourceFile> ruleFiles;
    /** The rule file being read. */
    private SourceFile transitions;
    private final ErrorTexts errors;
    /** Every method of the files the rules call into, by simple name (the first of a name wins). */
    private final Map<String, SourceFile.Method> methods = new LinkedHashMap<>();
    private final Map<String, SourceFile> fileOf = new LinkedHashMap<>();
    /** The policies' sources: a policy hook's refusals are those of any policy. */
    private final List<SourceFile> policies;
    /** Where the rule being read comes from, for guards that cite nothing of their own. */
    private String ruleSource = "";

    SpecRules(Path root, List<SourceFile> policies) throws IOException {
        List<SourceFile> files = new ArrayList<>();
        for (String f : FILES) {
            files.add(SourceFile.read(root, SpecDoc.MODEL_DIR + "/" + f));
        }
        this.ruleFiles = files.subList(0, 4);
        this.transitions = files.get(0);
        this.errors = new ErrorTexts(files.get(files.size() - 1));
        this.policies = policies;
        for (SourceFile f : files) {
            for (SourceFile.Method m : f.methods()) {
                if (!m.name().equals("visit")) {
                    methods.putIfAbsent(m.name(), m);
                    fileOf.putIfAbsent(m.name(), f);
                }
            }
        }
    }

    ErrorTexts errors() {
        return errors;
    }

    List<Rule> rules() {
        List<Rule> out = new ArrayList<>();
        for (SourceFile file : ruleFiles) {
            transitions = file;
            List<String> lines = file.lines();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = VISIT.matcher(lines.get(i).strip());
                if (!m.matches()) {
                    continue;
                }
                int at = i;
                SourceFile.Method visit = file.methods().stream().filter(x -> x.line() == at + 1).findFirst()
                        .orElseThrow();
                out.add(rule(m.group(1), visit));
            }
        }
        return out;
    }

    private Rule rule(String action, SourceFile.Method visit) {
        List<SourceFile.Line> body = visit.body();
        ruleSource = citations(visit.javadoc()).map(c -> "as the rule: " + c).orElse("the rule, above");
        SourceFile file = transitions;
        // a rule that is a shared helper of Transitions (toggle): read the helper's body
        if (body.size() == 1 && body.get(0).text().matches("return \\w+\\(.*\\);")) {
            String helper = body.get(0).text().substring(7, body.get(0).text().indexOf('('));
            if (methods.containsKey(helper) && fileOf.get(helper) == transitions) {
                body = methods.get(helper).body();
            }
        }
        List<Guard> guards = new ArrayList<>();
        List<String> effect = new ArrayList<>();
        Map<String, String> assigned = new LinkedHashMap<>();
        StringBuilder comment = new StringBuilder();
        Set<String> explained = new LinkedHashSet<>();
        for (int k = 0; k < body.size(); k++) {
            SourceFile.Line l = body.get(k);
            String t = l.text();
            if (t.startsWith("//")) {
                comment.append(comment.length() == 0 ? "" : " ").append(t.substring(2).strip());
                continue;
            }
            String said = comment.toString();
            comment.setLength(0);
            Matcher one = ONE_LINE_GUARD.matcher(t);
            Matcher open = OPEN_GUARD.matcher(t);
            Matcher rej = k + 1 < body.size() ? REJECTION.matcher(body.get(k + 1).text()) : null;
            String condition = null;
            String rejection = null;
            boolean fails = one.matches() && one.group(2).equals("failed");
            if (one.matches() && (one.group(2).equals("rejected") || fails)) {
                condition = one.group(1);
                rejection = one.group(3);
            } else if (open.matches() && rej != null && rej.matches() && rej.group(1).equals("rejected")
                    && k + 2 < body.size() && body.get(k + 2).text().equals("}")) {
                condition = open.group(1);
                rejection = rej.group(2);
                k += 2;
            }
            if (condition != null) {
                List<Guard> found = guards(condition, rejection, assigned, file, l.number(), said);
                // A failure QEMU reports after the step changed the world (an abort): a guard that also has an effect.
                guards.addAll(fails ? found.stream().map(g -> g.failing(t.contains("aborted("))).toList() : found);
                continue;
            }
            Matcher a = ASSIGNMENT.matcher(t);
            if (a.matches()) {
                assigned.put(a.group(1), a.group(2));
            }
            if (!said.isEmpty()) {
                effect.add(said);
            }
            if (open.matches() && t.contains("return") || open.matches() && k + 1 < body.size()
                    && body.get(k + 1).text().startsWith("return ")) {
                effect.add("When " + GuardWords.words(open.group(1)) + ": " + String.join("; ", helpers(
                        body.get(k + 1).text(), explained)) + ".");
                continue;
            }
            if (t.startsWith("if (") && t.endsWith(") return next(w);")) {
                effect.add("When " + GuardWords.words(t.substring(4, t.length() - ") return next(w);".length()))
                        + ", nothing changes.");
                continue;
            }
            // a check whose refusal is a guard (Option<String> v = check(…)) is not part of the effect
            for (String h : t.startsWith("Option<String> ") ? List.<String>of() : helpers(t, explained)) {
                effect.add(h + ".");
            }
            // a shared step whose refusal is the action's outcome: its refusals are guards too
            for (String step : t.startsWith("return outcome(") ? refusingSteps(t) : List.<String>of()) {
                List<ErrorTexts.ErrorText> es = errorsOf(step);
                if (!es.isEmpty() && assigned.values().stream().noneMatch(v -> v.contains(step + "("))) {
                    guards.add(new Guard("refused when the shared step " + step + " refuses: " + firstSentence(
                            methods.get(step).javadoc()), t, file, l.number(), es, citations(methods.get(step).javadoc())
                            .orElse("the shared step " + fileOf.get(step).name().replace(".java", "") + "." + step)));
                }
            }
        }
        return new Rule(action, transitions, visit.line(), visit.javadoc(), guards, effect);
    }

    /** The guards of one "if (condition) return rejected(rejection);", a helper's check expanded into its own. */
    private List<Guard> guards(String condition, String rejection, Map<String, String> assigned, SourceFile file,
                               int line, String said) {
        Matcher var = Pattern.compile("(\\w+)\\.(?:get|getLeft)\\(\\)").matcher(rejection);
        if (var.matches() && assigned.containsKey(var.group(1))) {
            String call = assigned.get(var.group(1));
            Matcher c = CALL.matcher(call);
            while (c.find()) {
                if (methods.containsKey(c.group(2)) && !"policy".equals(c.group(1))) {
                    return helperGuards(c.group(2), arguments(inParentheses(call, c.end())), file, line);
                }
            }
        }
        List<ErrorTexts.ErrorText> es = errors.referredToIn(rejection);
        String source = !said.isEmpty() ? said
                : es.stream().map(ErrorTexts.ErrorText::javadoc).filter(d -> !d.isEmpty()).findFirst()
                .orElse(ruleSource);
        return List.of(new Guard("refused if " + GuardWords.words(condition), condition, file, line, es, source));
    }

    /**
     * The checks of a helper (Transitions.check, Lifecycle.lockConflict, …) as the guards of the rule that calls it:
     * guard by guard where the helper is written as guards, else one guard with every error the helper can give.
     */
    private List<Guard> helperGuards(String helper, List<String> args, SourceFile file, int line) {
        SourceFile.Method h = methods.get(helper);
        List<String> params = h.parameterNames();
        List<Guard> out = new ArrayList<>();
        // which bitmap the helper checks, when it is not the one the action names (a merge's target and sources)
        int named = params.indexOf("name");
        String label = named < 0 || named >= args.size() ? "name"
                : args.get(named).replaceAll("^a\\.(\\w+)\\(\\)$", "$1");
        String which = label.equals("name") || label.equals("bitmap") ? "" : "for the " + label + " bitmap, ";
        for (SourceFile.Line l : h.body()) {
            Matcher g = ONE_LINE_GUARD.matcher(l.text());
            if (!g.matches()) {
                continue;
            }
            String cond = g.group(1);
            for (int i = 0; i < params.size() && i < args.size(); i++) {
                cond = cond.replaceAll("\\b" + Pattern.quote(params.get(i)) + "\\b(?!\\()", Matcher.quoteReplacement(args.get(i)));
            }
            if (cond.startsWith("false && ")) {
                continue;
            }
            cond = cond.replace("true && ", "");
            out.add(new Guard(which + "refused if " + GuardWords.words(cond), cond, fileOf.get(helper), l.number(),
                    errors.referredToIn(g.group(3)), h.javadoc()));
        }
        if (out.isEmpty()) {
            out.add(new Guard("refused when " + helper + " refuses: " + firstSentence(h.javadoc()), helper
                    + "(…) refuses", fileOf.get(helper), h.line(), errorsOf(helper), h.javadoc()));
        }
        return out;
    }

    /** The helpers a line calls, each once per rule, with the first sentence of its Javadoc. */
    private List<String> helpers(String code, Set<String> explained) {
        List<String> out = new ArrayList<>();
        Matcher m = CALL.matcher(code);
        while (m.find()) {
            String name = m.group(2);
            if (calledOnAValue(code, m)) {
                continue;
            }
            if ("policy".equals(m.group(1)) && name.startsWith("on")) {
                if (explained.add(name)) {
                    out.add("the policy's " + name + " (see the policies)");
                }
                continue;
            }
            SourceFile.Method h = methods.get(name);
            if (h == null || fileOf.get(name).name().equals("QemuErrors.java") || h.javadoc().isEmpty()
                    || !explained.add(name)) {
                continue;
            }
            out.add(firstSentence(h.javadoc()) + " (" + fileOf.get(name).name().replace(".java", "") + "." + name + ")");
        }
        return out;
    }

    /** The shared steps a line calls that can refuse (they return Either). */
    private List<String> refusingSteps(String code) {
        List<String> out = new ArrayList<>();
        Matcher m = CALL.matcher(code);
        while (m.find()) {
            String name = m.group(2);
            if (m.group(1) != null && !"policy".equals(m.group(1)) && methods.containsKey(name)
                    && !errorsOf(name).isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /** Every error a shared step can give: its own, those of the steps it calls, and a policy hook's. */
    List<ErrorTexts.ErrorText> errorsOf(String method) {
        List<ErrorTexts.ErrorText> out = new ArrayList<>();
        collect(method, new LinkedHashSet<>(), out);
        return out;
    }

    private void collect(String method, Set<String> seen, List<ErrorTexts.ErrorText> out) {
        if (!seen.add(method)) {
            return;
        }
        List<String> code = new ArrayList<>();
        SourceFile.Method m = methods.get(method);
        if (m != null) {
            m.body().forEach(l -> code.add(l.text()));
        }
        if (method.startsWith("on")) {
            for (SourceFile p : policies) {
                p.methods().stream().filter(x -> x.name().equals(method)).forEach(x -> x.body().forEach(l -> code.add(l.text())));
            }
        }
        for (String line : code) {
            for (ErrorTexts.ErrorText e : errors.referredToIn(line)) {
                if (!out.contains(e)) {
                    out.add(e);
                }
            }
            Matcher c = CALL.matcher(line);
            while (c.find()) {
                String name = c.group(2);
                if (calledOnAValue(line, c)) {
                    continue;
                }
                if ((methods.containsKey(name) && !fileOf.get(name).name().equals("QemuErrors.java")
                        && !name.equals(method)) || ("policy".equals(c.group(1)) && name.startsWith("on"))) {
                    collect(name, seen, out);
                }
            }
        }
    }

    /** Whether a call is a method of some value (w.ghost().update(…)), not a step of the model's own. */
    private static boolean calledOnAValue(String code, Matcher call) {
        return call.group(1) == null && call.start(2) > 0 && code.charAt(call.start(2) - 1) == '.';
    }

    /** The text from just after an opening parenthesis to the one that closes it. */
    static String inParentheses(String code, int from) {
        int depth = 1;
        for (int i = from; i < code.length(); i++) {
            char c = code.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth == 0) {
                return code.substring(from, i);
            }
        }
        return code.substring(from);
    }

    static List<String> arguments(String args) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                out.add(args.substring(from, i).strip());
                from = i + 1;
            }
        }
        if (!args.isBlank()) {
            out.add(args.substring(from).strip());
        }
        return out;
    }

    private static final Pattern CITATION = Pattern.compile(
            "(?:[\\w-]+/)*[\\w-]+\\.(?:c|h|txt)(?: [a-z_][a-z0-9_]*)?|\\bR\\d+\\b|notes §\\d+(?:\\.\\d+)?|\\b[0-9a-f]{10}\\b");

    /** The QEMU sources a Javadoc cites: files with their functions, the notes' R-numbers and sections, commits. */
    static Optional<String> citations(String doc) {
        List<String> out = new ArrayList<>();
        Matcher m = CITATION.matcher(doc);
        while (m.find()) {
            if (!out.contains(m.group())) {
                out.add(m.group());
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", out));
    }

    static String firstSentence(String doc) {
        Matcher m = Pattern.compile("^(.*?[.])(\\s|$)").matcher(doc);
        String s = m.find() ? m.group(1) : doc;
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    Optional<SourceFile.Method> method(String name) {
        return Optional.ofNullable(methods.get(name));
    }
}
