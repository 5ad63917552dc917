package dev.bitmig.report;

import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The spec document, read from the model's sources at report time. */
final class SpecDoc {
    static final String MODEL_DIR = "model/src/main/java/dev/bitmig/model";
    static final List<String> HOOKS = List.of("onMigrationStart", "onInactivate", "onActivate", "onCont");

    record ActionRule(String action, String rule, List<String> guards, String effect) { }

    /** The repository root: the system property bitmig.root, else the first ancestor of the working directory holding the model. */
    static Optional<Path> root() {
        String prop = System.getProperty("bitmig.root");
        if (prop != null && Files.isDirectory(Path.of(prop, MODEL_DIR))) {
            return Optional.of(Path.of(prop));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(MODEL_DIR).resolve("Transitions.java"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static final Pattern VISIT = Pattern.compile("public Outcome visit\\(Action\\.(\\w+) a\\)");
    private static final Pattern GUARD = Pattern.compile("^if \\((.*)\\) return rejected\\((.*)\\);$");

    static List<ActionRule> actions(String src) {
        String[] lines = src.split("\n");
        List<ActionRule> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = VISIT.matcher(lines[i]);
            if (!m.find()) {
                continue;
            }
            String javadoc = javadocAbove(lines, i);
            int depth = 0;
            List<String> body = new ArrayList<>();
            for (int j = i; j < lines.length; j++) {
                for (char c : lines[j].toCharArray()) {
                    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                }
                if (j > i) {
                    body.add(lines[j].strip());
                }
                if (depth == 0 && j > i) {
                    break;
                }
            }
            if (!body.isEmpty()) {
                body.remove(body.size() - 1);
            }
            List<String> guards = new ArrayList<>();
            List<String> effect = new ArrayList<>();
            for (int k = 0; k < body.size(); k++) {
                String l = body.get(k);
                Matcher g = GUARD.matcher(l);
                if (g.matches()) {
                    guards.add("if " + readable(g.group(1)) + " → rejected: " + g.group(2).replace("QemuErrors.", ""));
                } else if (l.startsWith("if (") && l.endsWith("{") && k + 2 < body.size()
                        && body.get(k + 1).startsWith("return rejected(") && body.get(k + 2).equals("}")) {
                    String rej = body.get(k + 1);
                    guards.add("if " + readable(l.substring(4, l.length() - 3)) + " → rejected: "
                            + rej.substring("return rejected(".length(), rej.length() - 2).replace("QemuErrors.", ""));
                    k += 2;
                } else if (!l.isEmpty()) {
                    effect.add(l.startsWith("//") ? l.substring(2).strip() : l);
                }
            }
            String eff = String.join(" ", effect);
            if (eff.length() > 600) {
                eff = eff.substring(0, 600) + " …";
            }
            out.add(new ActionRule(m.group(1), javadoc, guards, eff));
        }
        return out;
    }

    static String readable(String cond) {
        return cond.replace("!", "not ").replace("&&", "and").replace("||", "or").replace("not =", "!=")
                .replace("QemuErrors.", "");
    }

    static String javadocAbove(String[] lines, int at) {
        int j = at - 1;
        while (j >= 0 && (lines[j].strip().startsWith("@") || lines[j].isBlank())) {
            j--;
        }
        if (j < 0 || !lines[j].strip().endsWith("*/")) {
            return "";
        }
        int end = j;
        while (j >= 0 && !lines[j].strip().startsWith("/**")) {
            j--;
        }
        StringBuilder b = new StringBuilder();
        for (int k = Math.max(j, 0); k <= end; k++) {
            b.append(lines[k].strip().replaceAll("^/\\*\\*|\\*/$|^\\*", "").strip()).append(' ');
        }
        return b.toString().replaceAll("\\{@(link|code) ([^}]*)}", "$2").replaceAll("\\s+", " ").strip();
    }

    /** Each hook of one policy record: its Javadoc, "as QEMU_UPSTREAM" where it delegates, or the interface default. */
    static List<String> hooks(Policy p, Path modelDir) throws IOException {
        Path f = modelDir.resolve(p.getClass().getSimpleName() + ".java");
        String src = Files.readString(f);
        String[] lines = src.split("\n");
        List<String> out = new ArrayList<>();
        String base = Policies.QEMU_UPSTREAM.name();
        Matcher bm = Pattern.compile("static final (\\w+) BASE = ").matcher(src);
        if (bm.find()) {
            String baseClass = bm.group(1);
            base = Policies.ALL.find(q -> q.getClass().getSimpleName().equals(baseClass)).map(Policy::name).getOrElse(baseClass);
        }
        for (String hook : HOOKS) {
            String found = null;
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].contains(" " + hook + "(") && lines[i].contains("public")) {
                    String body = i + 1 < lines.length ? lines[i + 1].strip() : "";
                    String doc = javadocAbove(lines, i);
                    if (body.matches("return (BASE|UPSTREAM|base|upstream)\\w*\\." + hook + "\\([^()]*\\);")) {
                        found = "as " + base + (doc.isEmpty() ? "" : " — " + doc);
                    } else {
                        found = doc.isEmpty() ? "(undocumented)" : doc;
                    }
                    break;
                }
            }
            if (found == null) {
                found = hook.equals("onCont") ? "activation only (Policy's default)" : "as the Policy interface";
            }
            out.add(found);
        }
        return out;
    }

    /** The Javadoc of each Invariant constant. */
    static List<String[]> invariants(Path modelDir) throws IOException {
        String[] lines = Files.readString(modelDir.resolve("Invariant.java")).split("\n");
        List<String[]> out = new ArrayList<>();
        Pattern c = Pattern.compile("^\\s*([A-Z_]+)\\(\"(\\w+)\"\\)[,;]");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = c.matcher(lines[i]);
            if (m.find()) {
                out.add(new String[] {m.group(2), javadocAbove(lines, i)});
            }
        }
        return out;
    }
}
