package dev.bitmig.check;

/**
 * The next level of a search does not fit the heap budget. Thrown between levels, before the heap runs out (or
 * when it did run out), with what the search had reached: a run that cannot fit says so in one line.
 */
public final class ExplorationTooLarge extends RuntimeException {
    private final int depth;
    private final long states;

    ExplorationTooLarge(String message, int depth, long states) {
        super(message);
        this.depth = depth;
        this.states = states;
    }

    /** The deepest level completed. */
    public int depth() {
        return depth;
    }

    /** Distinct states reached. */
    public long states() {
        return states;
    }
}
