package dev.bitmig.impl.qcow2.differential;

import java.util.BitSet;
import java.util.SplittableRandom;

/** Draws the bits of a {@link BitmigStep.Contents} for a bitmap of a given number of granules. */
final class Contents {
    private static final int WINDOW = 1 << 20;

    private Contents() {
    }

    static BitSet bits(BitmigStep.Contents c, long granules) {
        int n = Math.toIntExact(granules);
        BitSet b = new BitSet();
        SplittableRandom r = new SplittableRandom(c.seed());
        if (n == 0) {
            return b;
        }
        switch (c.shape()) {
            case EMPTY -> { }
            case FULL -> b.set(0, n);
            case SPARSE -> {
                for (int k = 1 + r.nextInt(64); k > 0; k--) {
                    b.set(r.nextInt(n));
                }
            }
            case DENSE -> {
                int from = n <= WINDOW ? 0 : r.nextInt(n - WINDOW);
                for (int i = from; i < Math.min(n, from + WINDOW); i++) {
                    if (r.nextBoolean()) {
                        b.set(i);
                    }
                }
            }
            case RUNS -> {
                for (int k = 1 + r.nextInt(6); k > 0; k--) {
                    int from = r.nextInt(n);
                    b.set(from, from + 1 + r.nextInt(n - from));
                }
            }
            case EDGES -> {
                b.set(0);
                b.set(n - 1);
                b.set(Math.max(0, n - 1 - r.nextInt(Math.min(n, 4096))), n);
            }
        }
        return b;
    }
}
