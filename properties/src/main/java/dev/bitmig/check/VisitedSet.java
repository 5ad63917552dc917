package dev.bitmig.check;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * The fingerprints of every state seen, in lock-striped segments so that several threads insert during a level.
 * Each fingerprint maps to a value: for a state of an earlier level, its invariant mask (below 8); for a state first
 * seen in the current level, {@code (candidate + 1) << 3 | mask}, where the candidate is the smallest (frontier index,
 * action) that reached it. Taking the smallest candidate makes the parent of every state, and so every counterexample,
 * the same as a one-thread breadth-first search, whatever the number of threads.
 */
final class VisitedSet {
    private static final int SEGMENTS = 1024;
    private static final long ABSENT = -1;
    private final Long2LongOpenHashMap[] segments = new Long2LongOpenHashMap[SEGMENTS];

    VisitedSet() {
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Long2LongOpenHashMap(16, 0.8f);
            segments[i].defaultReturnValue(ABSENT);
        }
    }

    private Long2LongOpenHashMap segment(long fp) {
        return segments[(int) (fp >>> 54) & (SEGMENTS - 1)];
    }

    /** The invariant mask of a state already seen, or -1. */
    int mask(long fp) {
        Long2LongOpenHashMap s = segment(fp);
        long v;
        synchronized (s) {
            v = s.get(fp);
        }
        return v == ABSENT ? -1 : (int) (v & 7);
    }

    /** Record a state of an initial level (no candidate). Returns false when it was already there. */
    boolean addSettled(long fp, int mask) {
        Long2LongOpenHashMap s = segment(fp);
        synchronized (s) {
            if (s.containsKey(fp)) {
                return false;
            }
            s.put(fp, mask);
            return true;
        }
    }

    /**
     * A successor that may have been seen: its mask, after lowering its candidate if it was first seen in this level;
     * -1 when it is new (then {@link #reach} inserts it once its mask is known).
     */
    int reachIfSeen(long fp, long candidate) {
        Long2LongOpenHashMap s = segment(fp);
        synchronized (s) {
            long v = s.get(fp);
            if (v == ABSENT) {
                return -1;
            }
            long mine = (candidate + 1) << 3 | (v & 7);
            if (v >= 8 && mine < v) {
                s.put(fp, mine);
            }
            return (int) (v & 7);
        }
    }

    /**
     * A successor of this level: insert it with its candidate, or lower the candidate of a state first seen in this
     * level. Returns the state's mask (the one it was first recorded with).
     */
    int reach(long fp, long candidate, int mask) {
        Long2LongOpenHashMap s = segment(fp);
        long mine = (candidate + 1) << 3 | mask;
        synchronized (s) {
            long v = s.get(fp);
            if (v == ABSENT) {
                s.put(fp, mine);
                return mask;
            }
            if (v >= 8 && mine < v) {
                s.put(fp, mine);
            }
            return (int) (v & 7);
        }
    }

    /**
     * The states first seen in this level, as {candidate, fingerprint, mask} triples sorted by candidate, and settled:
     * from now on they count as earlier states. Runs between levels, on one thread.
     */
    long[][] settleLevel() {
        LongArrayList cand = new LongArrayList();
        LongArrayList fps = new LongArrayList();
        for (Long2LongOpenHashMap s : segments) {
            for (var it = s.long2LongEntrySet().fastIterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getLongValue() >= 8) {
                    cand.add(e.getLongValue());
                    fps.add(e.getLongKey());
                    e.setValue(e.getLongValue() & 7);
                }
            }
        }
        long[] c = cand.toLongArray();
        long[] f = fps.toLongArray();
        // candidates are unique (one transition reaches one state), and each value starts with its candidate
        it.unimi.dsi.fastutil.longs.LongArrays.radixSort(c, f);
        long[][] out = new long[][] {c, f, new long[c.length]};
        for (int i = 0; i < c.length; i++) {
            out[2][i] = c[i] & 7;
            c[i] = (c[i] >>> 3) - 1;
        }
        return out;
    }

    long size() {
        long n = 0;
        for (Long2LongOpenHashMap s : segments) {
            n += s.size();
        }
        return n;
    }

    /** Bytes the table holds: two long arrays per segment, at their current capacity. */
    long bytes() {
        long slots = 0;
        for (Long2LongOpenHashMap s : segments) {
            slots += tableSize(s.size());
        }
        return slots * 16;
    }

    private static long tableSize(int n) {
        return it.unimi.dsi.fastutil.HashCommon.arraySize(Math.max(n, 16), 0.8f) + 1;
    }
}
