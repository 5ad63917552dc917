package dev.bitmig.report;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The anchors GitHub gives a Markdown document's headings (github-slugger): the heading's text in lower case, every
 * character dropped that is not a letter, a mark, a digit, a connector such as '_', a space or '-', then each space
 * turned into '-'. A heading whose anchor is taken gets the first free '-1', '-2', … after it.
 */
final class GitHubAnchors {
    private static final Pattern DROPPED = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]");

    /** How many times each plain anchor has been handed out, and every anchor taken. */
    private final Map<String, Integer> occurrences = new HashMap<>();

    /** The anchor of one heading's text, without regard to the headings before it. */
    static String plain(String heading) {
        return DROPPED.matcher(heading.toLowerCase(Locale.ROOT)).replaceAll("").replace(' ', '-');
    }

    /** The anchor of the next heading of the document. */
    String next(String heading) {
        String original = plain(heading);
        String anchor = original;
        while (occurrences.containsKey(anchor)) {
            int n = occurrences.merge(original, 1, Integer::sum);
            anchor = original + "-" + n;
        }
        occurrences.put(anchor, 0);
        return anchor;
    }
}
