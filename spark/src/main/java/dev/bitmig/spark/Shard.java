package dev.bitmig.spark;

import java.io.Serializable;

/**
 * One partition of the search: the fingerprints of every state seen whose fingerprint falls in it (sorted, eight bytes
 * a state), the paths of its frontier states (sorted, packed) and what the level that made it counted.
 */
final class Shard implements Serializable {
    private static final long serialVersionUID = 1L;
    long[] visited;
    PathBlock frontier;
    /** States this shard first reached in its level. */
    long added;
    Tally tally;

    Shard(long[] visited, PathBlock frontier, long added, Tally tally) {
        this.visited = visited;
        this.frontier = frontier;
        this.added = added;
        this.tally = tally;
    }

    /** What the driver reads after a level: the counts, without the states. */
    Summary summary() {
        return new Summary(added, visited.length * 8L + frontier.bytes(), tally);
    }

    /** A shard's counts (a class rather than a record: Kryo sets its fields). */
    static final class Summary implements Serializable {
        private static final long serialVersionUID = 1L;
        long added;
        long bytes;
        Tally tally;

        Summary(long added, long bytes, Tally tally) {
            this.added = added;
            this.bytes = bytes;
            this.tally = tally;
        }
    }
}
