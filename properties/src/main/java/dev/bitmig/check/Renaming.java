package dev.bitmig.check;

import io.vavr.collection.List;

/**
 * A permutation of the bounds' bitmap names, for the symmetry reduction: every name the bounds give plays the same
 * role (the action space treats them alike, and no rule reads a name's spelling), so worlds that differ only by such a
 * permutation have the same future up to the permutation, and the same violation classes (which never name a bitmap).
 * Names outside the bounds (the canaries) are never renamed.
 */
record Renaming(String[] from, String[] to) {
    static final Renaming IDENTITY = new Renaming(new String[0], new String[0]);

    boolean isIdentity() {
        return from.length == 0;
    }

    String apply(String name) {
        for (int i = 0; i < from.length; i++) {
            if (from[i].equals(name)) {
                return to[i];
            }
        }
        return name;
    }

    /** The most names whose permutations the reduction tries (4! = 24 encodings per state). */
    static final int MAX_SYMMETRIC_NAMES = 4;

    /** Every permutation of the names other than the identity, or none when there are too many names to try. */
    static List<Renaming> permutations(List<String> names) {
        if (names.size() < 2 || names.size() > MAX_SYMMETRIC_NAMES) {
            return List.empty();
        }
        String[] from = names.toJavaArray(String[]::new);
        return names.permutations().filter(p -> !p.equals(names))
                .map(p -> new Renaming(from, p.toJavaArray(String[]::new)));
    }
}
