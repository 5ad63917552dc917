package dev.bitmig.check;

import java.util.Locale;

/** The explorer's heap budget: before each level it estimates what the level will add, and stops if that cannot fit. */
final class Memory {
    private Memory() {
    }

    /** Fingerprint table bytes per state at the table's fullest, plus what a level's bookkeeping takes. */
    static final int TABLE_BYTES_PER_STATE = 40;
    /** Room for the worlds being expanded and the JVM's own needs. */
    static final long RESERVE = 192L << 20;

    static long used() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /**
     * Throws when the next level, at the growth of the last one, would not fit in the budget. The first levels (no
     * growth known yet) are small and always run.
     */
    static void check(long budget, VisitedSet visited, StateLinks links, int frontier, double growth, boolean last,
                      int depth, long states) {
        if (Double.isNaN(growth)) {
            return;
        }
        long expected = (long) Math.ceil(frontier * growth);
        long need = visited.bytes() + links.bytes() + expected * (TABLE_BYTES_PER_STATE + (last ? 0 : StateLinks.BYTES_PER_STATE))
                + RESERVE;
        if (need > budget) {
            throw new ExplorationTooLarge(String.format(Locale.ROOT,
                    "depth %d does not fit the heap budget of %s: about %,d more states need %s; reached depth %d with "
                            + "%,d states (give more heap with BITMIG_HEAP, or lower --depth)",
                    depth + 1, gib(budget), expected, gib(need), depth, states), depth, states);
        }
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
