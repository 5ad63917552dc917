package dev.bitmig.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small document model rendered both as self-contained HTML and as Markdown, so the two hold the same content. */
final class Doc {
    sealed interface Block permits Heading, Para, Table, Pre, Figure { }

    /**
     * A heading. Its anchor, in HTML as in Markdown, is the one GitHub generates from its text ({@link GitHubAnchors});
     * {@code key} names it for links within the document ("#" + key in a link becomes "#" + its anchor).
     */
    record Heading(int level, String text, String key) implements Block { }

    record Para(String text) implements Block { }

    record Pre(String title, String text) implements Block { }

    /** An inline SVG picture with its caption; the Markdown version keeps the caption and points to the page. */
    record Figure(String cls, String caption, String svg) implements Block { }

    /** A table cell: text, an optional link, an optional CSS class and data attributes (HTML only). */
    record Cell(String text, String href, String cls, Map<String, String> data) {
        static Cell of(String text) {
            return new Cell(text, null, null, Map.of());
        }
    }

    record Table(String cls, java.util.List<String> header, java.util.List<java.util.List<Cell>> rows,
                 java.util.List<String> rowClasses) implements Block { }

    final java.util.List<Block> blocks = new ArrayList<>();

    Doc h(int level, String text) {
        blocks.add(new Heading(level, text, slug(text)));
        return this;
    }

    Doc p(String text) {
        blocks.add(new Para(text));
        return this;
    }

    Doc pre(String title, String text) {
        blocks.add(new Pre(title, text));
        return this;
    }

    Doc table(Table t) {
        blocks.add(t);
        return this;
    }

    static String slug(String s) {
        return s.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    static final String CSS = """
            body{font-family:sans-serif;margin:2em;max-width:110em;color:#222}
            table{border-collapse:collapse;margin:1em 0}
            th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top;text-align:left;font-size:90%}
            th{background:#eee}
            td.holds{background:#dfd}
            td.violated{background:#fdd}
            tr.break td{background:#fbb;font-weight:bold}
            pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto}
            code{font-family:monospace}
            """;

    String html(String title) {
        StringBuilder b = new StringBuilder();
        GitHubAnchors anchors = new GitHubAnchors();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style></head>\n<body>\n");
        for (Block x : blocks) {
            {
                if (x instanceof Heading h) {
                    b.append("<h").append(h.level()).append(" id=\"").append(esc(anchors.next(h.text()))).append("\">")
                        .append(esc(h.text())).append("</h").append(h.level()).append(">\n");
                    continue;
                }
                if (x instanceof Para p) {
                    b.append("<p>").append(esc(p.text())).append("</p>\n");
                    continue;
                }
                if (x instanceof Pre p) {
                    b.append("<pre class=\"").append(slug(p.title())).append("\"><code>")
                        .append(esc(p.text())).append("</code></pre>\n");
                    continue;
                }
                if (x instanceof Figure f) {
                    b.append("<figure class=\"").append(f.cls()).append("\">").append(f.svg())
                        .append("<figcaption>").append(esc(f.caption())).append("</figcaption></figure>\n");
                    continue;
                }
                if (x instanceof Table t) {
                    b.append("<table class=\"").append(t.cls()).append("\">\n<tr>");
                    t.header().forEach(hd -> b.append("<th>").append(esc(hd)).append("</th>"));
                    b.append("</tr>\n");
                    for (int i = 0; i < t.rows().size(); i++) {
                        String rc = t.rowClasses() == null ? null : t.rowClasses().get(i);
                        b.append(rc == null || rc.isEmpty() ? "<tr>" : "<tr class=\"" + rc + "\">");
                        for (Cell c : t.rows().get(i)) {
                            b.append("<td");
                            if (c.cls() != null) {
                                b.append(" class=\"").append(c.cls()).append('"');
                            }
                            c.data().forEach((k, v) -> b.append(" data-").append(k).append("=\"").append(esc(v)).append('"'));
                            b.append('>');
                            String text = esc(c.text()).replace("\n", "<br>");
                            if (c.href() != null) {
                                b.append("<a href=\"").append(esc(c.href())).append("\">").append(text).append("</a>");
                            } else {
                                b.append(text);
                            }
                            b.append("</td>");
                        }
                        b.append("</tr>\n");
                    }
                    b.append("</table>\n");
                }
            }
        }
        return b.append("</body></html>\n").toString();
    }

    /**
     * Markdown; links are rewritten by {@code link} (e.g. a page to "#" + the key of a heading of this document, which
     * becomes the anchor GitHub gives that heading).
     */
    String md(java.util.function.UnaryOperator<String> link) {
        Map<String, String> anchorOf = new LinkedHashMap<>();
        GitHubAnchors anchors = new GitHubAnchors();
        for (Block x : blocks) {
            if (x instanceof Heading h) {
                anchorOf.putIfAbsent(h.key(), anchors.next(h.text()));
            }
        }
        StringBuilder b = new StringBuilder();
        for (Block x : blocks) {
            {
                if (x instanceof Heading h) {
                    b.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
                    continue;
                }
                if (x instanceof Para p) {
                    b.append(p.text()).append("\n\n");
                    continue;
                }
                if (x instanceof Pre p) {
                    b.append("```\n").append(p.text().stripTrailing()).append("\n```\n\n");
                    continue;
                }
                if (x instanceof Figure f) {
                    b.append("*Picture: ").append(f.caption()).append(" (in the HTML page).*\n\n");
                    continue;
                }
                if (x instanceof Table t) {
                    b.append('|');
                    t.header().forEach(hd -> b.append(' ').append(mdCell(hd)).append(" |"));
                    b.append("\n|");
                    t.header().forEach(hd -> b.append("---|"));
                    b.append('\n');
                    for (int i = 0; i < t.rows().size(); i++) {
                        boolean hl = t.rowClasses() != null && "break".equals(t.rowClasses().get(i));
                        b.append('|');
                        for (Cell c : t.rows().get(i)) {
                            String text = mdCell(c.text());
                            if (hl && !text.isEmpty()) {
                                text = "**" + text + "**";
                            }
                            if (c.href() != null) {
                                String to = link.apply(c.href());
                                if (to.startsWith("#") && anchorOf.containsKey(to.substring(1))) {
                                    to = "#" + anchorOf.get(to.substring(1));
                                }
                                text = "[" + text + "](" + to + ")";
                            }
                            b.append(' ').append(text).append(" |");
                        }
                        b.append('\n');
                    }
                    b.append('\n');
                }
            }
        }
        return b.toString();
    }

    private static String mdCell(String s) {
        return s.replace("|", "\\|").replace("\n", "<br>");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static Map<String, String> data(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
