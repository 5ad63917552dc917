package dev.bitmig.spark;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ClassFinding;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.Findings;
import dev.bitmig.check.Fingerprint;
import dev.bitmig.check.Masks;
import dev.bitmig.check.Verdict;
import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Spec;
import dev.bitmig.model.ViolationClass;
import dev.bitmig.model.ViolationClasses;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.control.Option;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The single-JVM explorer's search on Spark. The states are split into shards by fingerprint; each level expands
 * every shard's frontier where it lies, shuffles only the successors (each once per partition) to the shards their
 * fingerprints name, and folds them into those shards, which never move. Each shard keeps its visited fingerprints
 * as one sorted long array and its frontier as packed paths; every level is checkpointed locally, so that no lineage
 * grows. The driver keeps only counts and, per violation class, the smallest candidate path that records it; the
 * answers (states per level, classes, counterexamples) are the single-JVM explorer's, through the same
 * {@link Findings}.
 */
final class SparkExplorer {
    private final JavaSparkContext jsc;
    private final int partitions;
    private final ShuffleMeter meter;
    private final Consumer<String> log;

    SparkExplorer(JavaSparkContext jsc, int partitions, ShuffleMeter meter, Consumer<String> log) {
        this.jsc = jsc;
        this.partitions = partitions;
        this.meter = meter;
        this.log = log;
    }

    ExplorationResult run(Spec spec, Bounds bounds, boolean symmetry) {
        long start = System.nanoTime();
        SearchJob job = new SearchJob(spec, bounds, symmetry);
        Action[] actions = job.actions();
        List<World> initials = job.initials();
        Geometry g = spec.geometry();
        Fingerprint fingerprint = job.fingerprint();
        Map<ViolationClass, byte[]> found = new HashMap<>();
        Map<Long, Integer> roots = new LinkedHashMap<>();
        for (World w : initials) {
            int index = initials.indexOf(w);
            roots.putIfAbsent(fingerprint.of(w), index);
            int mask = Masks.of(w, g);
            for (Invariant inv : Masks.WORLD_INVARIANTS) {
                if ((mask & Masks.bit(inv)) != 0) {
                    for (ViolationClass c : ViolationClasses.of(inv, w, g)) {
                        found.putIfAbsent(c, new byte[] {(byte) index});
                    }
                }
            }
        }
        java.util.List<Long> levels = new ArrayList<>();
        levels.add((long) roots.size());
        log.accept(String.format(Locale.ROOT, "spark %s: depth %d, %d partitions, %d initial states",
                spec.policy().name(), bounds.depth(), partitions, roots.size()));
        JavaRDD<Shard> shards = jsc.parallelize(rootShards(roots, actions.length), partitions)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Tally totals = new Tally(actions.length, 1);
        long frontier = roots.size();
        long heldBytes = 0;
        int depth = 0;
        ClassReplay classes = new ClassReplay(spec, actions, initials);
        while (frontier > 0 && depth < bounds.depth()) {
            boolean last = depth + 1 == bounds.depth();
            int width = StatePath.width(depth + 1);
            long levelStart = System.nanoTime();
            ShuffleMeter.Reading before = meter.read(jsc.sc());
            JavaRDD<Shard> next = shards.zipPartitions(
                    shards.mapPartitionsToPair(new Expansion(job, partitions)).partitionBy(new ShardPartitioner(partitions)),
                    new Merge(actions.length, width, !last));
            next.persist(StorageLevel.MEMORY_AND_DISK());
            next.rdd().localCheckpoint();
            java.util.List<Shard.Summary> sums = next.map(Shard::summary).collect();
            shards.unpersist(false);
            shards = next;
            Tally level = new Tally(actions.length, width);
            long news = 0;
            heldBytes = 0;
            for (Shard.Summary s : sums) {
                level.mergeFrom(s.tally);
                news += s.added;
                heldBytes += s.bytes;
            }
            totals.generated += level.generated;
            for (int a = 0; a < actions.length; a++) {
                totals.accepted[a] += level.accepted[a];
                totals.rejected[a] += level.rejected[a];
            }
            classes.smallestPerClass(level.classCandidates).forEach(found::putIfAbsent);
            if (news > 0) {
                depth++;
            }
            levels.add(news);
            frontier = last ? 0 : news;
            double secs = (System.nanoTime() - levelStart) / 1e9;
            ShuffleMeter.Reading shuffled = meter.read(jsc.sc()).minus(before);
            long distinct = levels.stream().mapToLong(Long::longValue).sum();
            log.accept(String.format(Locale.ROOT,
                    "spark %s level %d: %,d new states (%,d distinct), %,.0f states/s, shuffle %,d bytes (%,d records),"
                            + " %.1f s", spec.policy().name(), levels.size() - 1, news, distinct,
                    secs == 0 ? 0 : news / secs, shuffled.bytes(), shuffled.records(), secs));
        }
        shards.unpersist(false);
        long distinct = levels.stream().mapToLong(Long::longValue).sum();
        return result(job, found, totals, List.ofAll(levels), distinct, depth, System.nanoTime() - start,
                distinct == 0 ? 0 : (double) heldBytes / distinct, fingerprint.symmetric());
    }

    /** The shards of level 0: each initial state in the shard of its fingerprint. */
    private java.util.List<Shard> rootShards(Map<Long, Integer> roots, int actions) {
        java.util.List<Shard> out = new ArrayList<>();
        for (int q = 0; q < partitions; q++) {
            java.util.List<Long> fps = new ArrayList<>();
            java.util.List<Integer> paths = new ArrayList<>();
            for (var e : roots.entrySet()) {
                if (ShardPartitioner.of(e.getKey(), partitions) == q) {
                    fps.add(e.getKey());
                    paths.add(e.getValue());
                }
            }
            long[] visited = fps.stream().mapToLong(Long::longValue).sorted().toArray();
            PathBlock frontier = new PathBlock(StatePath.width(0), paths.size());
            paths.stream().sorted().forEach(i -> frontier.add(new byte[] {(byte) (int) i}, 0));
            out.add(new Shard(visited, frontier.trimmed(), paths.size(), new Tally(actions, 1)));
        }
        return out;
    }

    private ExplorationResult result(SearchJob job, Map<ViolationClass, byte[]> found, Tally totals, List<Long> levels,
                                     long distinct, int depth, long elapsed, double bytesPerState, boolean symmetric) {
        // keys: the rank of each class's path among all found paths, shortest first, then in discovery order
        java.util.TreeSet<byte[]> paths = new java.util.TreeSet<>(SparkExplorer::byLengthThenOrder);
        paths.addAll(found.values());
        java.util.List<byte[]> ranked = new ArrayList<>(paths);
        Map<ViolationClass, Findings.Found> keyed = new HashMap<>();
        found.forEach((c, p) -> keyed.put(c, new Findings.Found(StatePath.depth(p.length),
                indexOf(ranked, p))));
        Findings findings = new Findings(job.spec(), job.initials(),
                f -> StatePath.route(ranked.get((int) f.key()), job.actions()));
        Map<Invariant, List<ClassFinding>> classes = findings.classes(keyed);
        Map<Invariant, Verdict> verdicts = findings.verdicts(classes, keyed, distinct, depth);
        Map<String, ExplorationResult.Counts> counts = Findings.perAction(job.actions(), totals.accepted, totals.rejected);
        return new ExplorationResult(job.policy().name(), job.bounds(), distinct, totals.generated, depth, elapsed,
                jsc.defaultParallelism(), io.vavr.collection.TreeMap.ofAll(verdicts),
                io.vavr.collection.TreeMap.ofAll(classes), io.vavr.collection.TreeMap.ofAll(counts), Option.none(),
                Option.none(), levels, bytesPerState, Fingerprint.collisionProbability(distinct, totals.generated),
                symmetric);
    }

    private static int byLengthThenOrder(byte[] a, byte[] b) {
        int c = Integer.compare(a.length, b.length);
        return c != 0 ? c : StatePath.compare(a, 0, b, 0, a.length);
    }

    private static long indexOf(java.util.List<byte[]> ranked, byte[] p) {
        return java.util.Collections.binarySearch(ranked, p, SparkExplorer::byLengthThenOrder);
    }
}
