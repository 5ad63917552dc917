package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.Explorer;
import dev.bitmig.model.Action;
import dev.bitmig.model.Next;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The specification page covers the model: every action of its alphabet has a rule with the error text of each of its
 * guards, every refusal the model gives while it runs is among its action's errors, and every guard reads in words.
 */
class SpecPageCoversEveryActionTest {
    /** Every action the search can try: mirror and backup jobs, read-only launches and adds on an inactive QEMU included. */
    static final Bounds ALPHABET = Bounds.DEFAULT.withMirrorGranularities(io.vavr.collection.List.of(1, 2))
            .withReadOnlyLaunch(true).withInactiveAdds(true).withCapabilities(dev.bitmig.model.Capabilities.ALL);

    static Document page;

    @BeforeAll
    static void writeThePage() throws Exception {
        Path out = Files.createDirectories(Path.of("target/spec-page"));
        Files.writeString(out.resolve(SpecPage.FILE), SpecPage.page(out).html("bitmig specification"));
        page = Jsoup.parse(out.resolve(SpecPage.FILE).toFile(), "UTF-8");
    }

    /** The error texts of one action's rule on the page, as patterns where ‹a parameter› stands for any text. */
    static List<Pattern> errorsOnThePage(String kind) {
        Element h = page.select("h3").stream().filter(e -> e.text().equals(SpecPage.heading(kind))).findFirst()
                .orElse(null);
        assertThat(h).as("the page has a rule for %s", kind).isNotNull();
        Element guards = h.nextElementSiblings().select("table.guards").first();
        assertThat(guards).as("the rule for %s has a table of guards", kind).isNotNull();
        List<Pattern> out = new ArrayList<>();
        for (Element row : guards.select("tr")) {
            if (row.select("td").size() > 2) {
                for (String text : row.select("td").get(2).wholeText().split("\n")) {
                    out.add(template(text.strip()));
                }
            }
        }
        return out;
    }

    static Pattern template(String text) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("‹[^›]*›").matcher(text);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(text.substring(at, m.start()))).append("(?s:.+)");
            at = m.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(text.substring(at))).toString());
    }

    static boolean listed(List<Pattern> errors, String printed) {
        return errors.stream().anyMatch(p -> p.matcher(printed).matches());
    }

    /** A QemuErrors member's text as the model prints it, for a sample bitmap name or node. */
    static String printed(String member) throws Exception {
        for (Method m : QemuErrors.class.getMethods()) {
            if (m.getName().equals(member) && Modifier.isStatic(m.getModifiers())) {
                Object[] args = new Object[m.getParameterCount()];
                for (int i = 0; i < args.length; i++) {
                    args[i] = m.getParameterTypes()[i] == NodeId.class ? NodeId.TARGET : "sample";
                }
                return (String) m.invoke(null, args);
            }
        }
        return (String) QemuErrors.class.getField(member).get(null);
    }

    @Test
    void everyActionOfTheAlphabetHasARuleWithTheErrorOfEachGuardItsCodeNames() throws Exception {
        Path model = SpecDoc.root().orElseThrow().resolve(SpecDoc.MODEL_DIR);
        String transitions = Files.readString(model.resolve("Transitions.java"));
        List<String> outerRules = List.of(Files.readString(model.resolve("BitmapRules.java")),
                Files.readString(model.resolve("JobRules.java")), Files.readString(model.resolve("OfflineRules.java")));
        Set<String> kinds = new LinkedHashSet<>();
        Next.actions(ALPHABET.alphabet()).forEach(a -> kinds.add(a.kind()));
        assertThat(kinds).hasSize(Action.class.getPermittedSubclasses().length);
        for (String kind : kinds) {
            List<Pattern> errors = errorsOnThePage(kind);
            // Transitions' rules sit in its inner class Step; the bitmap commands' in BitmapRules, the block jobs' in
            // JobRules and qemu-img's in OfflineRules, one level out.
            Matcher rule = Pattern.compile("public Outcome visit\\(Action\\." + kind + " a\\) \\{(.*?)\\n        }\\n",
                    Pattern.DOTALL).matcher(transitions);
            boolean found = rule.find();
            Pattern outer = Pattern.compile("public Outcome visit\\(Action\\." + kind + " a\\) \\{(.*?)\\n    }\\n",
                    Pattern.DOTALL);
            for (int i = 0; !found && i < outerRules.size(); i++) {
                rule = outer.matcher(outerRules.get(i));
                found = rule.find();
            }
            assertThat(found).as("Transitions, BitmapRules, JobRules or OfflineRules has a rule for %s", kind).isTrue();
            Matcher named = Pattern.compile("rejected\\(QemuErrors\\.(\\w+)").matcher(rule.group(1));
            while (named.find()) {
                String text = printed(named.group(1));
                assertThat(listed(errors, text)).as("the rule for %s lists \"%s\" (QemuErrors.%s)", kind, text,
                        named.group(1)).isTrue();
            }
        }
    }

    @Test
    void everyRefusalTheModelGivesIsAmongTheErrorsOfItsActionsRule() throws Exception {
        Map<String, Set<String>> refusals = new LinkedHashMap<>();
        List<Action> alphabet = Next.actions(ALPHABET.alphabet()).toJavaList();
        // the guards the search never reaches: a name or granularity QEMU refuses, a write past the end of the disk
        List<Action> odd = List.of(new Action.BitmapAdd(NodeId.SOURCE, "", 1, true, false),
                new Action.BitmapAdd(NodeId.SOURCE, "n".repeat(QemuErrors.MAX_NAME_BYTES + 1), 1, true, false),
                new Action.BitmapAdd(NodeId.SOURCE, "c", 3, true, false),
                new Action.GuestWrite(NodeId.SOURCE, ALPHABET.clusters(), 1),
                new Action.ForeignWrite(Action.Writer.AWARE, ALPHABET.clusters(), 1),
                new Action.MirrorStart(NodeId.SOURCE, 0), new Action.MirrorStart(NodeId.SOURCE, 3));
        Random random = new Random(7);
        for (Policy p : Policies.ALL) {
            Spec spec = new Spec(p, ALPHABET.geometry());
            for (World start : Explorer.initialWorlds(ALPHABET)) {
                World w = start;
                for (int step = 0; step < 3000; step++) {
                    Action a = step % 10 == 0 ? odd.get(random.nextInt(odd.size()))
                            : alphabet.get(random.nextInt(alphabet.size()));
                    Outcome o = spec.apply(w, a);
                    if (o.error().isDefined()) {
                        refusals.computeIfAbsent(a.kind(), k -> new LinkedHashSet<>()).add(o.error().get());
                    }
                    w = o.successor().getOrElse(w);
                    if (step % 300 == 299) {
                        w = start;
                    }
                }
            }
        }
        assertThat(refusals.keySet()).as("the walks meet refusals of most actions").hasSizeGreaterThan(15);
        for (var e : refusals.entrySet()) {
            List<Pattern> errors = errorsOnThePage(e.getKey());
            for (String reason : e.getValue()) {
                assertThat(listed(errors, reason)).as("the rule for %s lists the refusal \"%s\"", e.getKey(), reason)
                        .isTrue();
            }
        }
    }

    @Test
    void everyGuardReadsInWordsAndLinksToItsLineOfCode() throws Exception {
        Path root = SpecDoc.root().orElseThrow();
        List<SourceFile> policies = new ArrayList<>();
        for (Policy p : Policies.ALL) {
            policies.add(SourceFile.read(root, SpecDoc.MODEL_DIR + "/" + p.getClass().getSimpleName() + ".java"));
        }
        List<SpecRules.Rule> rules = new SpecRules(root, policies).rules();
        assertThat(rules).hasSize(Action.class.getPermittedSubclasses().length);
        for (SpecRules.Rule r : rules) {
            for (SpecRules.Guard g : r.guards()) {
                assertThat(g.isCondition() ? GuardWords.unknown(g.code()) : List.of()).as("%s: a phrase in GuardWords for the test in \"%s\"",
                        r.action(), g.code()).isEmpty();
                assertThat(g.file().lines().get(g.line() - 1)).as("%s: the guard's line", r.action())
                        .contains(g.code().contains("(…)") ? "" : g.code().split(" ")[0].replace("!", ""));
            }
        }
        for (Element a : page.select("table.guards td a[href], table.rule td a[href]")) {
            String href = a.attr("href");
            assertThat(href).matches(".*\\.java#L\\d+");
            Path file = Path.of("target/spec-page").resolve(href.substring(0, href.indexOf('#'))).normalize();
            assertThat(file).as(href).exists();
            int line = Integer.parseInt(href.substring(href.indexOf("#L") + 2));
            assertThat(Files.readAllLines(file).size()).as(href).isGreaterThanOrEqualTo(line);
        }
        // Every condition reads in words: no guard is left as `code` (QEMU's own error texts may quote with `).
        assertThat(page.select("table.guards tr").stream().filter(r -> r.select("td").size() > 1)
                .map(r -> r.select("td").get(1).text()).toList()).noneMatch(t -> t.contains("`"));
    }
}
