package dev.bitmig.spark;

import dev.bitmig.check.Findings;
import dev.bitmig.model.Action;
import io.vavr.collection.List;

import java.util.Arrays;

/**
 * A state as the path that first reaches it: the index of its initial world (one byte), then the index of each
 * action (two bytes, big-endian). All paths of one level have the same width, and their unsigned lexicographic order
 * is the single-JVM explorer's discovery order, so the smallest path that reaches a state is the parent and action
 * that explorer records for it.
 */
final class StatePath {
    private StatePath() {
    }

    /** The most initial worlds and actions a path can name. */
    static final int MAX_INITIALS = 256;
    static final int MAX_ACTIONS = 1 << 16;

    /** The bytes of a path of {@code depth} actions. */
    static int width(int depth) {
        return 1 + 2 * depth;
    }

    /** The depth of a path of this width. */
    static int depth(int width) {
        return (width - 1) / 2;
    }

    static int initial(byte[] p, int off) {
        return p[off] & 0xff;
    }

    /** The k-th action of the path. */
    static int action(byte[] p, int off, int k) {
        return (p[off + 1 + 2 * k] & 0xff) << 8 | (p[off + 2 + 2 * k] & 0xff);
    }

    /** Write into {@code dst} the path at {@code src} extended by one action. */
    static void extend(byte[] src, int srcOff, int width, int action, byte[] dst) {
        System.arraycopy(src, srcOff, dst, 0, width);
        dst[width] = (byte) (action >>> 8);
        dst[width + 1] = (byte) action;
    }

    static int compare(byte[] a, int aOff, byte[] b, int bOff, int width) {
        return Arrays.compareUnsigned(a, aOff, aOff + width, b, bOff, bOff + width);
    }

    /** The transition a path of at least one action names: its last action from the state its prefix reaches. */
    static Findings.Route route(byte[] p, Action[] actions) {
        int depth = depth(p.length);
        if (depth == 0) {
            return new Findings.Route(initial(p, 0), List.empty(), null);
        }
        java.util.List<Action> prefix = new java.util.ArrayList<>(depth - 1);
        for (int k = 0; k < depth - 1; k++) {
            prefix.add(actions[action(p, 0, k)]);
        }
        return new Findings.Route(initial(p, 0), List.ofAll(prefix), actions[action(p, 0, depth - 1)]);
    }
}
