package dev.bitmig.spark;

import dev.bitmig.check.Fingerprint;
import dev.bitmig.check.Masks;
import dev.bitmig.check.StepClasses;
import dev.bitmig.model.Action;
import dev.bitmig.model.Alphabet;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Next;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.ViolationClass;
import dev.bitmig.model.World;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Expands the frontier of one shard by every action, as the single-JVM explorer expands a state: it counts accepted
 * and rejected transitions, records the violation classes of each transition, and sends every successor, once per
 * partition with the smallest candidate path that reached it, to the shard its fingerprint belongs to. The frontier
 * is sorted and actions are tried in order, so the first candidate of a successor is its smallest.
 */
final class Expansion implements PairFlatMapFunction<Iterator<Shard>, Integer, Piece> {
    private static final long serialVersionUID = 1L;
    private final SearchJob job;
    private final int partitions;

    Expansion(SearchJob job, int partitions) {
        this.job = job;
        this.partitions = partitions;
    }

    @Override
    public Iterator<Tuple2<Integer, Piece>> call(Iterator<Shard> shards) {
        Spec spec = job.spec();
        Action[] actions = job.actions();
        Alphabet alphabet = job.alphabet();
        Geometry g = spec.geometry();
        Fingerprint fingerprint = job.fingerprint();
        Replayer replayer = new Replayer(spec, actions, job.initials());
        java.util.List<Tuple2<Integer, Piece>> out = new ArrayList<>();
        while (shards.hasNext()) {
            PathBlock frontier = shards.next().frontier;
            int width = frontier.width;
            Tally tally = new Tally(actions.length, width + 2);
            Map<ViolationClass, byte[]> smallest = new HashMap<>();
            Long2IntOpenHashMap masks = new Long2IntOpenHashMap();
            masks.defaultReturnValue(-1);
            LongArrayList[] fps = new LongArrayList[partitions];
            PathBlock[] paths = new PathBlock[partitions];
            byte[] candidate = new byte[width + 2];
            for (int i = 0; i < frontier.size; i++) {
                int off = frontier.offset(i);
                World w = replayer.world(frontier.data, off, width);
                int maskS = Masks.of(w, g);
                Spec.From from = spec.from(w);
                for (int a = 0; a < actions.length; a++) {
                    Action action = actions[a];
                    if (!Next.tried(alphabet, w, action)) {
                        continue;
                    }
                    Outcome o = from.apply(action);
                    // A failure that changed the world (a failed reactivation) is a step like any other.
                    World t = o.successor().getOrNull();
                    if (t == null) {
                        tally.rejected[a]++;
                        continue;
                    }
                    tally.accepted[a]++;
                    if (t == w) {
                        continue;
                    }
                    tally.generated++;
                    StatePath.extend(frontier.data, off, width, a, candidate);
                    if (!t.losses().isEmpty()) {
                        StepClasses.lost(w, action, t, c -> smallest.computeIfAbsent(c, k -> candidate.clone()));
                    }
                    long fp = fingerprint.of(t);
                    int maskT = masks.get(fp);
                    if (maskT < 0) {
                        maskT = Masks.of(t, g);
                        masks.put(fp, maskT);
                        int q = ShardPartitioner.of(fp, partitions);
                        if (fps[q] == null) {
                            fps[q] = new LongArrayList();
                            paths[q] = new PathBlock(width + 2, 64);
                        }
                        fps[q].add(fp);
                        paths[q].add(candidate, 0);
                    }
                    if ((maskT & ~maskS) != 0) {
                        StepClasses.broken(maskS, t, maskT, g, c -> smallest.computeIfAbsent(c, k -> candidate.clone()));
                    }
                }
            }
            for (byte[] c : smallest.values()) {
                tally.classCandidates.add(c, 0);
            }
            for (int q = 0; q < partitions; q++) {
                if (fps[q] != null) {
                    out.add(new Tuple2<>(q, Piece.candidates(fps[q].toLongArray(), paths[q])));
                }
            }
            out.add(new Tuple2<>(TaskContext.getPartitionId() % partitions, Piece.tally(tally)));
        }
        return out.iterator();
    }
}
