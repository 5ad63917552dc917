package dev.bitmig.spark;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrays;
import org.apache.spark.api.java.function.FlatMapFunction2;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Folds the pieces a shard received into the shard: a successor whose fingerprint the shard has seen is dropped;
 * every other one becomes a state of the new level, reached by the smallest candidate path any piece brought. The new
 * frontier is kept sorted by path (the single-JVM explorer's discovery order) and the visited fingerprints sorted.
 * The shard itself never moves: pieces come to it.
 */
final class Merge implements FlatMapFunction2<Iterator<Shard>, Iterator<Tuple2<Integer, Piece>>, Shard> {
    private static final long serialVersionUID = 1L;
    private final int actions;
    private final int width;
    private final boolean keepFrontier;

    /** For a level whose paths have {@code width} bytes; the last level keeps no frontier. */
    Merge(int actions, int width, boolean keepFrontier) {
        this.actions = actions;
        this.width = width;
        this.keepFrontier = keepFrontier;
    }

    @Override
    public Iterator<Shard> call(Iterator<Shard> shards, Iterator<Tuple2<Integer, Piece>> pieces) {
        Shard old = shards.next();
        Tally tally = new Tally(actions, width);
        List<Piece> blocks = new ArrayList<>();
        while (pieces.hasNext()) {
            Piece p = pieces.next()._2;
            if (p.tally != null) {
                tally.mergeFrom(p.tally);
            } else {
                blocks.add(p);
            }
        }
        Long2LongOpenHashMap best = new Long2LongOpenHashMap();
        best.defaultReturnValue(-1);
        for (int b = 0; b < blocks.size(); b++) {
            Piece p = blocks.get(b);
            for (int r = 0; r < p.fingerprints.length; r++) {
                long fp = p.fingerprints[r];
                if (Arrays.binarySearch(old.visited, fp) >= 0) {
                    continue;
                }
                long ref = (long) b << 32 | r;
                long cur = best.putIfAbsent(fp, ref);
                if (cur >= 0 && compare(blocks, ref, cur) < 0) {
                    best.put(fp, ref);
                }
            }
        }
        long[] fresh = best.keySet().toLongArray();
        Arrays.sort(fresh);
        PathBlock frontier = new PathBlock(width, keepFrontier ? fresh.length : 0);
        if (keepFrontier) {
            long[] refs = best.values().toLongArray();
            LongArrays.quickSort(refs, (x, y) -> compare(blocks, x, y));
            for (long ref : refs) {
                PathBlock paths = blocks.get((int) (ref >>> 32)).paths;
                frontier.add(paths.data, paths.offset((int) ref));
            }
        }
        return java.util.List.of(new Shard(union(old.visited, fresh), frontier.trimmed(), fresh.length, tally)).iterator();
    }

    private int compare(List<Piece> blocks, long x, long y) {
        PathBlock a = blocks.get((int) (x >>> 32)).paths;
        PathBlock b = blocks.get((int) (y >>> 32)).paths;
        return StatePath.compare(a.data, a.offset((int) x), b.data, b.offset((int) y), width);
    }

    /** Two sorted arrays without common elements, merged. */
    static long[] union(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length && j < b.length) {
            out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
        }
        while (i < a.length) {
            out[k++] = a[i++];
        }
        while (j < b.length) {
            out[k++] = b[j++];
        }
        return out;
    }
}
