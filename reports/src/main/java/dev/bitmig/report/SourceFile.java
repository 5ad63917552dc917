package dev.bitmig.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Java source file of the model, read as text for the spec page: its methods, each with its Javadoc, the line it
 * starts on and the lines of its body.
 */
record SourceFile(String path, List<String> lines) {

    /** One line of a method's body: its number in the file (from 1) and its text, stripped. */
    record Line(int number, String text) { }

    /**
     * A method: its name, the parameter list as written, the line of its declaration, its Javadoc in one line, and its
     * body without the braces that open and close it.
     */
    record Method(String name, String parameters, int line, String javadoc, List<Line> body) {
        /** The parameter names, in order. */
        List<String> parameterNames() {
            List<String> out = new ArrayList<>();
            for (String p : parameters.split(",")) {
                String[] words = p.strip().split("\\s+");
                if (words.length >= 2) {
                    out.add(words[words.length - 1]);
                }
            }
            return out;
        }

        /** The parameter types, in order. */
        List<String> parameterTypes() {
            List<String> out = new ArrayList<>();
            for (String p : parameters.split(",")) {
                String[] words = p.strip().split("\\s+");
                if (words.length >= 2) {
                    out.add(words[words.length - 2]);
                }
            }
            return out;
        }
    }

    private static final Pattern DECLARATION = Pattern.compile(
            "^\\s*(?:(?:public|private|protected|static|final|default)\\s+)*[\\w<>, ?.\\[\\]]+\\s+(\\w+)\\(([^()]*)\\)\\s*(?:throws [\\w., ]+)?\\{$");

    static SourceFile read(Path root, String path) throws IOException {
        return new SourceFile(path, List.of(Files.readString(root.resolve(path)).split("\n", -1)));
    }

    /** The file's name without its directory. */
    String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    List<Method> methods() {
        List<Method> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = DECLARATION.matcher(lines.get(i));
            if (!m.matches() || m.group(1).equals("if") || m.group(1).equals("for") || m.group(1).equals("while")
                    || m.group(1).equals("switch")) {
                continue;
            }
            List<Line> body = new ArrayList<>();
            int depth = 0;
            for (int j = i; j < lines.size(); j++) {
                for (char c : lines.get(j).toCharArray()) {
                    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                }
                if (depth == 0) {
                    break;
                }
                if (j > i) {
                    body.add(new Line(j + 1, lines.get(j).strip()));
                }
            }
            out.add(new Method(m.group(1), m.group(2), i + 1,
                    SpecDoc.javadocAbove(lines.toArray(String[]::new), i), body));
        }
        return out;
    }

    /** The first method of this name. */
    Optional<Method> method(String name) {
        return methods().stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
