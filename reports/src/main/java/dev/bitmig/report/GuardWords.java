package dev.bitmig.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A guard's condition, as the model writes it in Java, in words: each test the model makes (a QEMU runs, a node is
 * active, a migration is in progress, …) has a phrase, and its negation another; "&&" and "||" become "and" and "or".
 * A test without a phrase is shown as code, and {@link #unknown} names it (a test keeps the page free of them).
 */
final class GuardWords {
    private GuardWords() {
    }

    /** One kind of test: a pattern of code (with a subject S where it names a node or bitmap) and its two phrases. */
    private record Atom(Pattern code, String holds, String fails) { }

    private static final String S = "(?<s>[\\w.()]+?)";

    private static final Map<String, String> SUBJECTS = Map.ofEntries(
            Map.entry("n", "the node"), Map.entry("node", "the node"), Map.entry("source", "the source"),
            Map.entry("target", "the target"), Map.entry("w.source()", "the source"),
            Map.entry("w.target()", "the target"), Map.entry("found", "the bitmap"), Map.entry("b", "the bitmap"),
            Map.entry("found.get()", "the bitmap"), Map.entry("b.get()", "the bitmap"),
            Map.entry("other", "the other QEMU"), Map.entry("n.bitmap(a.bitmap()).get()", "the bitmap"));

    private static final Map<String, String> RUN_STATES = Map.of("RUNNING", "running",
            "INMIGRATE", "waiting for an incoming migration (-incoming)", "POSTMIGRATE",
            "paused by a completed migration", "PAUSED", "paused", "OFF", "not running");

    /** The tests, the specific before the general (a migration's isActive before a node's). */
    private static final List<Atom> ATOMS = List.of(
            atom("w\\.migration\\(\\)\\.isActive\\(\\)", "a migration is in progress", "no migration is in progress"),
            atom("w\\.migration\\(\\)\\.handedOver\\(\\)", "the source has already handed over (inactivated)",
                    "the source has not handed over yet"),
            atom("policy\\.release\\(\\)\\.hasBlockdevSetActive\\(\\)", "the QEMU release has blockdev-set-active (10.0)",
                    "the QEMU release has no blockdev-set-active (before 10.0)"),
            atom("policy\\.release\\(\\)\\.abortsOnInactiveWrite\\(\\)",
                    "the QEMU release aborts on a write to an inactive node (10.0)",
                    "the QEMU release refuses a write to an inactive node"),
            atom(S + "\\.isOn\\(\\)", "a QEMU runs as $s", "no QEMU runs as $s"),
            atom(S + "\\.isActive\\(\\)", "$s is active (owns the image)", "$s is inactive"),
            atom(S + "\\.isWriter\\(\\)", "$s is active and read-write", "$s is not an active read-write node"),
            atom(S + "\\.holdsLocks\\(\\)", "$s's QEMU holds the image's locks (active, or ejected after taking them)",
                    "$s's QEMU holds no lock on the image"),
            atom(S + "\\.readOnly\\(\\)", "$s was opened read-only", "$s was opened read-write"),
            atom(S + "\\.run\\(\\) == RunState\\.(?<x>\\w+)", "$s is $x", "$s is not $x"),
            atom(S + "\\.run\\(\\) != RunState\\.(?<x>\\w+)", "$s is not $x", "$s is $x"),
            atom(S + "\\.block\\(\\) == BlockState\\.(?<x>\\w+)", "$s is $x", "$s is not $x"),
            atom(S + "\\.bitmaps\\(\\)\\.values\\(\\)\\.exists\\(Bitmap::(?<x>\\w+)\\)", "$s has a $x bitmap",
                    "$s has no $x bitmap"),
            atom(S + "\\.bitmaps\\(\\)\\.containsKey\\(a\\.name\\(\\)\\)", "$s already has a bitmap of that name",
                    "$s has no bitmap of that name"),
            atom(S + "\\.mirror\\(\\)\\.isDefined\\(\\)", "a mirror job already runs on $s", "no mirror job runs on $s"),
            atom(S + "\\.mirror\\(\\)\\.isEmpty\\(\\)", "no mirror job runs on $s", "a mirror job runs on $s"),
            atom(S + "\\.backup\\(\\)\\.isDefined\\(\\)", "a backup job already runs on $s", "no backup job runs on $s"),
            atom(S + "\\.backup\\(\\)\\.isEmpty\\(\\)", "no backup job runs on $s", "a backup job runs on $s"),
            atom(S + "\\.noBitmaps\\(\\)", "$s's QEMU has latched no_bitmaps (it never sends a bitmap again)",
                    "$s's QEMU has not latched no_bitmaps"),
            atom("a\\.sync\\(\\) == Action\\.Sync\\.(?<x>\\w+)", "the sync mode is $x", "the sync mode is not $x"),
            atom("a\\.mode\\(\\) != Action\\.BitmapMode\\.(?<x>\\w+)", "the bitmap-mode is not $x",
                    "the bitmap-mode is $x"),
            atom("a\\.op\\(\\) == Action\\.ImgOp\\.(?<x>\\w+)", "the operation is $x", "the operation is not $x"),
            atom("a\\.op\\(\\) != Action\\.ImgOp\\.(?<x>\\w+)", "the operation is not $x", "the operation is $x"),
            atom("dir\\.containsKey\\(a\\.name\\(\\)\\)", "the image has an entry of that name",
                    "the image has no entry of that name"),
            atom("dir\\.containsKey\\(a\\.source\\(\\)\\)", "the image has an entry of the merge's source name",
                    "the image has no entry of the merge's source name"),
            atom("dir\\.get\\(a\\.name\\(\\)\\)\\.get\\(\\)\\.inUse\\(\\)",
                    "that entry is IN_USE (it loads inconsistent)", "that entry is not IN_USE"),
            atom("dir\\.get\\(a\\.source\\(\\)\\)\\.get\\(\\)\\.inUse\\(\\)",
                    "the merge source's entry is IN_USE (it loads inconsistent)", "the merge source's entry is not IN_USE"),
            atom("refused\\.isDefined\\(\\)", "the operation refuses", "the operation does not refuse"),
            atom("a\\.skipBroken\\(\\)", "--skip-broken-bitmaps is given", "--skip-broken-bitmaps is not given"),
            atom("broken\\.isDefined\\(\\)", "a bitmap the read-only open loaded is inconsistent (its entry is IN_USE)",
                    "every bitmap the read-only open loaded is consistent"),
            atom("w\\.image\\(\\)\\.full\\(\\) == a\\.full\\(\\)", "the volume is already as the action leaves it",
                    "the volume changes"),
            atom("w\\.image\\(\\)\\.full\\(\\)", "the volume under the image is full (every write fails with ENOSPC)",
                    "the volume under the image has space"),
            atom(S + "\\.hasJob\\(\\)", "a block job (mirror or backup) runs on $s", "no block job runs on $s"),
            atom("inactive\\.isLeft\\(\\)", "the inactivation's store or flush fails", "the inactivation succeeds"),
            atom("w\\.image\\(\\)\\.directory\\(\\)\\.containsKey\\(a\\.name\\(\\)\\)", "the image has an entry of that name",
                    "the image has no entry of that name"),
            atom("opened != w", "the read-write open dropped every entry (autoclear bit 0 was clear)",
                    "the read-write open changed nothing"),
            atom("geometry\\.inBounds\\(a\\.first\\(\\), a\\.count\\(\\)\\)", "the clusters written lie on the disk",
                    "the clusters written run past the end of the disk"),
            atom("a\\.node\\(\\) == NodeId\\.(?<x>\\w+)", "the action is on the $x", "the action is not on the $x"),
            atom("a\\.name\\(\\)\\.isEmpty\\(\\)", "the name is empty", "the name is not empty"),
            atom("a\\.name\\(\\)\\.getBytes\\(StandardCharsets\\.UTF_8\\)\\.length > (?<v>[\\w.]+)",
                    "the name is longer than $v bytes (UTF-8)", "the name is at most $v bytes (UTF-8)"),
            atom("Granules\\.isPowerOfTwo\\(a\\.(?<x>\\w+)\\(\\)\\)", "the $x is a power of two",
                    "the $x is not a power of two"),
            atom("a\\.(?<x>\\w+)\\(\\) > (?<v>[\\w.]+)", "the $x is more than $v", "the $x is at most $v"),
            atom("a\\.(?<x>\\w+)\\(\\) < (?<v>[\\w.]+)", "the $x is less than $v", "the $x is at least $v"),
            atom("a\\.(?<x>\\w+)\\(\\)", "the action asks for $x", "the action does not ask for $x"),
            atom(S + "\\.isEmpty\\(\\)", "the node has no bitmap of that name", "the node has a bitmap of that name"),
            atom(S + "\\.persistence\\(\\)", "$s is persistent and not marked skip_store",
                    "$s is transient or marked skip_store"),
            atom(S + "\\.(?<x>busy|readonly|inconsistent|persistent|enabled)\\(\\)", "$s is $x", "$s is not $x"),
            atom("after", "the failure comes after the handover", "the failure comes before the handover"));

    private static Atom atom(String code, String holds, String fails) {
        return new Atom(Pattern.compile(code), holds, fails);
    }

    /** The condition in words; tests without a phrase stay as code, in backquotes. */
    static String words(String condition) {
        List<String> parts = new ArrayList<>();
        for (String term : split(condition.strip())) {
            if (term.equals("&&") || term.equals("||")) {
                parts.add(term.equals("&&") ? "and" : "or");
                continue;
            }
            parts.add(term(term).orElse("`" + term + "`"));
        }
        return String.join(" ", parts);
    }

    /** The tests of a condition that have no phrase. */
    static List<String> unknown(String condition) {
        List<String> out = new ArrayList<>();
        for (String term : split(condition.strip())) {
            if (!term.equals("&&") && !term.equals("||") && term(term).isEmpty()) {
                out.add(term);
            }
        }
        return out;
    }

    private static Optional<String> term(String term) {
        boolean negated = term.startsWith("!");
        String t = negated ? term.substring(1).strip() : term;
        if (t.startsWith("(") && t.endsWith(")")) {
            String inner = words(t.substring(1, t.length() - 1));
            return inner.contains("`") ? Optional.empty() : Optional.of(negated ? "not (" + inner + ")" : inner);
        }
        for (Atom a : ATOMS) {
            Matcher m = a.code().matcher(t);
            if (m.matches()) {
                return Optional.of(fill(negated ? a.fails() : a.holds(), m));
            }
        }
        return Optional.empty();
    }

    private static String fill(String phrase, Matcher m) {
        String out = phrase;
        if (out.contains("$s")) {
            String s = m.group("s");
            out = out.replace("$s", SUBJECTS.getOrDefault(s, s));
        }
        if (out.contains("$x")) {
            String x = m.group("x");
            out = out.replace("$x", RUN_STATES.getOrDefault(x, x.toLowerCase(Locale.ROOT).replace('_', ' ')));
        }
        if (out.contains("$v")) {
            out = out.replace("$v", Constants.shown(m.group("v")));
        }
        return out;
    }

    /** The condition cut at its top-level "&&" and "||", the operators kept as parts. */
    static List<String> split(String condition) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < condition.length(); i++) {
            char c = condition.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth == 0 && i + 1 < condition.length() && (condition.startsWith("&&", i) || condition.startsWith("||", i))) {
                out.add(condition.substring(from, i).strip());
                out.add(condition.substring(i, i + 2));
                from = i + 2;
                i++;
            }
        }
        out.add(condition.substring(from).strip());
        return out;
    }
}
