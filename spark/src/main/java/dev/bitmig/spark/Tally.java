package dev.bitmig.spark;

import java.io.Serializable;

/**
 * What the expansion of some frontier states counted: per action, accepted and rejected transitions; the successors
 * generated; and the candidate paths that were the smallest of some violation class in their partition (the driver
 * works out again which classes each one records, and keeps per class the smallest).
 */
final class Tally implements Serializable {
    private static final long serialVersionUID = 1L;
    long[] accepted;
    long[] rejected;
    long generated;
    PathBlock classCandidates;

    Tally(int actions, int candidateWidth) {
        accepted = new long[actions];
        rejected = new long[actions];
        classCandidates = new PathBlock(candidateWidth, 4);
    }

    void mergeFrom(Tally o) {
        for (int i = 0; i < accepted.length; i++) {
            accepted[i] += o.accepted[i];
            rejected[i] += o.rejected[i];
        }
        generated += o.generated;
        for (int i = 0; i < o.classCandidates.size; i++) {
            classCandidates.add(o.classCandidates.data, o.classCandidates.offset(i));
        }
    }
}
