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

/** Reading the model's sources at report time: where they are, Javadoc, the policies' hooks, the invariants. */
final class SpecDoc {
    static final String MODEL_DIR = "model/src/main/java/dev/bitmig/model";
    static final List<String> HOOKS = List.of("onMigrationStart", "onInactivate", "onActivate", "onCont");

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

    /** Each hook of one policy record: its Javadoc, "as QEMU_10_0" where it delegates, or the interface default. */
    static List<String> hooks(Policy p, Path modelDir) throws IOException {
        Path f = modelDir.resolve(p.getClass().getSimpleName() + ".java");
        String src = Files.readString(f);
        String[] lines = src.split("\n");
        List<String> out = new ArrayList<>();
        String base = Policies.QEMU_10_0.name();
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
