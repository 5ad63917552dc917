package dev.bitmig.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The error texts of QemuErrors.java, read from its source: each constant's text, and each method's text with its
 * parameters shown as ‹name› (a node as ‹node›), with the Javadoc that says where QEMU prints it.
 */
final class ErrorTexts {
    /** One error text: the QemuErrors member's name, its text, its Javadoc, and the line it is declared on. */
    record ErrorText(String name, String text, String javadoc, int line) {
        /** Whether a text QEMU (or the model) printed is this one, whatever the ‹parameters› are. */
        boolean matches(String printed) {
            StringBuilder regex = new StringBuilder();
            Matcher m = PLACEHOLDER.matcher(text);
            int at = 0;
            while (m.find()) {
                regex.append(Pattern.quote(text.substring(at, m.start()))).append("(?s:.*)");
                at = m.end();
            }
            regex.append(Pattern.quote(text.substring(at)));
            return printed.matches(regex.toString());
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("‹[^›]*›");
    private static final Pattern CONSTANT = Pattern.compile("^\\s*public static final String (\\w+) = (.*);$");

    private final SourceFile source;
    private final Map<String, ErrorText> byName = new LinkedHashMap<>();

    ErrorTexts(SourceFile qemuErrors) {
        this.source = qemuErrors;
        String[] lines = qemuErrors.lines().toArray(String[]::new);
        for (int i = 0; i < lines.length; i++) {
            Matcher c = CONSTANT.matcher(lines[i]);
            if (c.matches()) {
                byName.put(c.group(1), new ErrorText(c.group(1), concatenation(c.group(2), Map.of()),
                        SpecDoc.javadocAbove(lines, i), i + 1));
            }
        }
        for (SourceFile.Method m : qemuErrors.methods()) {
            if (m.body().size() != 1 || !m.body().get(0).text().startsWith("return ")) {
                continue;
            }
            Map<String, String> shown = new LinkedHashMap<>();
            List<String> names = m.parameterNames();
            List<String> types = m.parameterTypes();
            for (int k = 0; k < names.size(); k++) {
                shown.put(names.get(k), types.get(k).equals("NodeId") ? "node" : names.get(k));
            }
            String expr = m.body().get(0).text();
            byName.put(m.name(), new ErrorText(m.name(), concatenation(expr.substring(7, expr.length() - 1), shown),
                    m.javadoc(), m.line()));
        }
    }

    SourceFile source() {
        return source;
    }

    /** The error a reference names: QemuErrors.X, QemuErrors.f(…) or QemuErrors::f. */
    java.util.Optional<ErrorText> of(String member) {
        return java.util.Optional.ofNullable(byName.get(member));
    }

    /** Every QemuErrors member a piece of code refers to, in order. */
    List<ErrorText> referredToIn(String code) {
        List<ErrorText> out = new ArrayList<>();
        Matcher m = Pattern.compile("QemuErrors(?:\\.|::)(\\w+)").matcher(code);
        while (m.find()) {
            of(m.group(1)).filter(e -> !out.contains(e)).ifPresent(out::add);
        }
        return out;
    }

    /**
     * A Java string concatenation as the text it makes: literals as they are, a parameter as ‹its name›, a call on a
     * parameter (n.lower()) as ‹what the parameter stands for›.
     */
    static String concatenation(String expr, Map<String, String> parameters) {
        StringBuilder out = new StringBuilder();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < expr.length()) {
                    out.append(expr.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    out.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '+') {
                appendParameter(out, part, parameters);
            } else {
                part.append(c);
            }
        }
        appendParameter(out, part, parameters);
        return out.toString();
    }

    private static void appendParameter(StringBuilder out, StringBuilder part, Map<String, String> parameters) {
        String p = part.toString().strip();
        part.setLength(0);
        if (p.isEmpty()) {
            return;
        }
        String head = p.split("[.(]", 2)[0];
        out.append('‹').append(parameters.getOrDefault(head, head)).append('›');
    }
}
