package dev.bitmig.spark;

import java.io.Serializable;

/**
 * What one expanded partition sends to one shard through the shuffle: the successors that belong to that shard, each
 * once, with the smallest candidate path that reached it there; or (in a piece of its own) its tally.
 */
final class Piece implements Serializable {
    private static final long serialVersionUID = 1L;
    long[] fingerprints;
    PathBlock paths;
    Tally tally;

    static Piece candidates(long[] fingerprints, PathBlock paths) {
        Piece p = new Piece();
        p.fingerprints = fingerprints;
        p.paths = paths.trimmed();
        return p;
    }

    static Piece tally(Tally t) {
        Piece p = new Piece();
        p.tally = t;
        return p;
    }
}
