package dev.bitmig.check;

import dev.bitmig.check.Findings.Found;
import dev.bitmig.model.Action;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.ViolationClass;
import dev.bitmig.model.ViolationClasses;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.control.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Breadth-first search over the model from the initial worlds, level by level, in bounded memory. It keeps no world
 * for a state it is not expanding: only a 64-bit fingerprint per distinct state ({@link VisitedSet}), and for each
 * state that will be expanded its parent and action ({@link StateLinks}); a frontier world is rebuilt by re-running
 * its actions ({@link WorldCache}), and so is every counterexample.
 *
 * <p>It goes on after the first violation and keeps the shortest counterexample of every violation class. A class is
 * recorded at a transition whose source state satisfies the invariant and whose target violates it (for the world
 * invariants), or at a step that loses a bitmap silently ({@code NoSilentLoss}, a property of steps); what follows an
 * earlier violation along the same path is not a new class. Invariants are computed once per distinct state. Levels
 * are expanded on several threads and merged by the smallest (frontier state, action) candidate, so the distinct
 * states, the classes and every counterexample are the same whatever the thread count.
 */
public final class Explorer {
    private final Spec spec;
    private final Bounds bounds;
    private final int threads;
    private final Refinement refinement;
    private final Action[] actions;
    private final dev.bitmig.model.Alphabet alphabet;
    private final boolean stopAtRefinementFailure;
    private boolean symmetry = true;
    private boolean canonicalLineages = true;
    private long heapBudget = (long) (Runtime.getRuntime().maxMemory() * 0.9);

    public Explorer(Spec spec, Bounds bounds, int threads, Refinement refinement) {
        this(spec, bounds, threads, refinement, false);
    }

    /** With {@code stopAtRefinementFailure}, the search ends after the level where the implementation first disagrees. */
    public Explorer(Spec spec, Bounds bounds, int threads, Refinement refinement, boolean stopAtRefinementFailure) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.stopAtRefinementFailure = stopAtRefinementFailure;
        this.spec = spec;
        this.bounds = bounds;
        this.threads = threads;
        this.refinement = refinement;
        this.actions = bounds.actions().toJavaArray(Action[]::new);
        this.alphabet = bounds.alphabet();
    }

    /** Turn the symmetry reduction over the bounds' bitmap names on or off (on by default). */
    public Explorer withSymmetry(boolean on) {
        this.symmetry = on;
        return this;
    }

    /**
     * Turn the renumbering of lineage ids on or off (on by default): ids are ghost bookkeeping, so worlds that differ
     * only by them are one state.
     */
    public Explorer withCanonicalLineages(boolean on) {
        this.canonicalLineages = on;
        return this;
    }

    /** The heap the search may use, in bytes (default: 90% of the JVM's maximum heap). */
    public Explorer withHeapBudget(long bytes) {
        this.heapBudget = bytes;
        return this;
    }

    /** The initial worlds of a run, in {@link InitialWorld} order. */
    public static List<World> initialWorlds(Bounds b) {
        return InitialWorld.all(b);
    }

    /**
     * Progress: after each level ({@code levelDone}), and about every second while a level is expanded.
     *
     * @param depth         the level completed, or the level being built
     * @param levelStates   states first reached at this depth (after the level)
     * @param heapUsed      bytes of heap in use
     * @param nextEstimate  states the next level is expected to add (from this level's growth), 0 at the last level
     * @param nextSeconds   the expected time of the next level
     * @param frontier      states being expanded (during a level)
     * @param fraction      the share of them handed out to workers so far (during a level)
     */
    public record Progress(int depth, long distinct, long generated, long elapsedNanos, long levelStates,
                           double statesPerSecond, long heapUsed, long nextEstimate, double nextSeconds,
                           boolean levelDone, long frontier, double fraction) { }

    /** The explorer's symmetries: permutations of the bounds' names, when they play the same role. */
    List<Renaming> symmetries() {
        return Symmetry.renamings(bounds, spec.policy(), symmetry);
    }

    public ExplorationResult run(List<World> initials, Consumer<Progress> progress) {
        long start = System.nanoTime();
        Search s = new Search(initials);
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            s.loop(pool, progress, start);
        } catch (OutOfMemoryError e) {
            s.dropAll();
            throw new ExplorationTooLarge("the search ran out of heap at depth " + (s.depth + 1) + " ("
                    + Memory.gib(Runtime.getRuntime().maxMemory()) + " heap); reached depth " + s.depth + " with "
                    + s.distinct() + " states", s.depth, s.distinct());
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return s.result(System.nanoTime() - start);
    }

    /** The state of one run. */
    private final class Search {
        final List<World> inputs;
        final List<World> roots;
        final VisitedSet visited = new VisitedSet();
        StateLinks links = new StateLinks();
        final Map<ViolationClass, Found> found = new HashMap<>();
        final LevelWork totals = new LevelWork(actions.length);
        final java.util.List<Long> levelSizes = new ArrayList<>();
        Found refinementFailure;
        String refinementMessage;
        int depth;
        long unlinked;
        int lo;
        int hi;

        Search(List<World> initials) {
            inputs = initials;
            Fingerprint fp = new Fingerprint(symmetries(), canonicalLineages, bounds.capabilities().storeFailures());
            java.util.List<World> distinct = new ArrayList<>();
            for (World w : initials) {
                int mask = Masks.of(w, spec.geometry());
                if (visited.addSettled(fp.of(w), mask)) {
                    links.add(-1, initials.indexOf(w), mask);
                    distinct.add(w);
                }
                for (Invariant inv : Masks.WORLD_INVARIANTS) {
                    if ((mask & Masks.bit(inv)) != 0) {
                        for (ViolationClass c : ViolationClasses.of(inv, w, spec.geometry())) {
                            found.putIfAbsent(c, new Found(0, initials.indexOf(w)));
                        }
                    }
                }
            }
            roots = List.ofAll(distinct);
            levelSizes.add((long) distinct.size());
            hi = distinct.size();
        }

        long distinct() {
            return links.size() + unlinked;
        }

        void dropAll() {
            links = new StateLinks();
        }

        void loop(ExecutorService pool, Consumer<Progress> progress, long start) {
            double growth = Double.NaN;
            while (lo < hi && depth < bounds.depth()) {
                boolean last = depth + 1 == bounds.depth();
                Memory.check(heapBudget, visited, links, hi - lo, growth, last, depth, distinct());
                long levelStart = System.nanoTime();
                LevelWork level = expand(pool, progress, start);
                level.mergeInto(totals);
                level.classes.forEach((c, key) -> found.putIfAbsent(c, new Found(depth + 1, key)));
                if (level.refinementMessage != null && refinementFailure == null) {
                    refinementFailure = new Found(depth + 1, level.refinementKey);
                    refinementMessage = level.refinementMessage;
                }
                long[][] news = visited.settleLevel();
                int frontier = hi - lo;
                if (last) {
                    unlinked += news[0].length;
                } else {
                    for (int i = 0; i < news[0].length; i++) {
                        links.add((int) (news[0][i] / actions.length), (int) (news[0][i] % actions.length), (int) news[2][i]);
                    }
                }
                if (news[0].length > 0) {
                    depth++;
                }
                levelSizes.add((long) news[0].length);
                lo = hi;
                hi = last ? hi : links.size();
                growth = frontier == 0 ? Double.NaN : (double) news[0].length / frontier;
                double secs = (System.nanoTime() - levelStart) / 1e9;
                long next = last || Double.isNaN(growth) ? 0 : (long) (news[0].length * growth);
                progress.accept(new Progress(depth, distinct(), totals.generated, System.nanoTime() - start,
                        news[0].length, secs == 0 ? 0 : news[0].length / secs, Memory.used(),
                        next, news[0].length == 0 ? 0 : secs * next / news[0].length, true, frontier, 1));
                if (stopAtRefinementFailure && refinementFailure != null) {
                    break;
                }
            }
        }

        private LevelWork expand(ExecutorService pool, Consumer<Progress> progress, long start) {
            int size = hi - lo;
            int chunk = Math.max(16, Math.min(4096, size / (threads * 16) + 1));
            AtomicInteger next = new AtomicInteger(lo);
            java.util.concurrent.Callable<LevelWork> task = () -> {
                Expansion e = new Expansion(this);
                for (int from = next.getAndAdd(chunk); from < hi; from = next.getAndAdd(chunk)) {
                    for (int s = from; s < Math.min(hi, from + chunk); s++) {
                        e.expand(s);
                    }
                }
                return e.work;
            };
            LevelWork total = new LevelWork(actions.length);
            if (pool == null) {
                try {
                    task.call().mergeInto(total);
                } catch (Exception ex) {
                    throw new IllegalStateException("exploration failed: " + ex, ex);
                }
                return total;
            }
            java.util.List<Future<LevelWork>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(task));
            }
            for (Future<LevelWork> f : futures) {
                try {
                    while (true) {
                        try {
                            f.get(1, java.util.concurrent.TimeUnit.SECONDS).mergeInto(total);
                            break;
                        } catch (java.util.concurrent.TimeoutException waiting) {
                            double done = Math.min(1, (next.get() - lo) / (double) size);
                            progress.accept(new Progress(depth + 1, visited.size(),
                                    totals.generated, System.nanoTime() - start, 0, 0, Memory.used(), 0, 0, false,
                                    size, done));
                        }
                    }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("exploration interrupted", ex);
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof OutOfMemoryError oom) {
                        throw oom;
                    }
                    throw new IllegalStateException("exploration failed: " + ex.getCause(), ex.getCause());
                }
            }
            return total;
        }

        /** The path from a root to state {@code s}, and the root's index among the initial worlds. */
        Path path(int s) {
            java.util.LinkedList<Action> path = new java.util.LinkedList<>();
            int at = s;
            while (links.parent(at) >= 0) {
                path.addFirst(actions[links.via(at)]);
                at = links.parent(at);
            }
            return new Path(links.via(at), at, List.ofAll(path));
        }

        ExplorationResult result(long elapsed) {
            Findings findings = new Findings(spec, inputs, this::route);
            Map<Invariant, List<ClassFinding>> classes = findings.classes(found);
            Map<Invariant, Verdict> verdicts = findings.verdicts(classes, found, distinct(), depth);
            Map<String, ExplorationResult.Counts> counts = Findings.perAction(actions, totals.accepted, totals.rejected);
            Option<Verdict.Violated> refinementTrace = refinementFailure == null ? Option.none()
                    : Option.some(findings.replay(refinementFailure, refinementMessage, null));
            long generated = totals.generated;
            long bytes = visited.bytes() + links.bytes();
            return new ExplorationResult(spec.policy().name(), bounds, distinct(), generated, depth, elapsed, threads,
                    io.vavr.collection.TreeMap.ofAll(verdicts), io.vavr.collection.TreeMap.ofAll(classes),
                    io.vavr.collection.TreeMap.ofAll(counts), refinementTrace, Option.of(refinementMessage),
                    List.ofAll(levelSizes), distinct() == 0 ? 0 : (double) bytes / distinct(),
                    Fingerprint.collisionProbability(distinct(), generated), !symmetries().isEmpty());
        }

        /** The transition a found candidate names: (frontier state, action), or an initial world at depth 0. */
        private Findings.Route route(Found f) {
            if (f.depth() == 0) {
                return new Findings.Route((int) f.key(), List.empty(), null);
            }
            Path p = path((int) (f.key() / actions.length));
            return new Findings.Route(p.initial(), p.actions(), actions[(int) (f.key() % actions.length)]);
        }
    }

    /** A path from an initial world. */
    record Path(int initial, int root, List<Action> actions) { }

    /** One worker's expansion of frontier states, with its own fingerprinter and world cache. */
    private final class Expansion {
        final Search search;
        final LevelWork work = new LevelWork(actions.length);
        final Fingerprint fingerprint;
        final WorldCache cache;

        Expansion(Search search) {
            this.search = search;
            this.fingerprint = new Fingerprint(symmetries(), canonicalLineages, bounds.capabilities().storeFailures());
            this.cache = new WorldCache(spec, actions, search.roots, search.links);
        }

        void expand(int s) {
            World w = cache.world(s);
            Spec.From from = spec.from(w);
            int maskS = search.links.mask(s);
            Path path = null;
            World initial = null;
            for (int a = 0; a < actions.length; a++) {
                Action action = actions[a];
                if (!dev.bitmig.model.Next.tried(alphabet, w, action)) {
                    continue;
                }
                Outcome o = from.apply(action);
                long key = (long) s * actions.length + a;
                if (refinement != Refinement.NONE) {
                    if (path == null) {
                        path = search.path(s);
                        initial = search.roots.get(path.root());
                    }
                    String failure = refinement.checkAlong(initial, path.actions(), w, action, o).getOrNull();
                    if (failure != null) {
                        work.refinement(key, failure);
                    }
                }
                // A failure that changed the world (a failed reactivation) is a step like any other.
                World t = o.successor().getOrNull();
                if (t == null) {
                    work.rejected[a]++;
                    continue;
                }
                work.accepted[a]++;
                if (t == w) {
                    continue;
                }
                work.generated++;
                if (!t.losses().isEmpty()) {
                    StepClasses.lost(w, action, t, c -> offer(c, key));
                }
                long fp = fingerprint.of(t);
                int maskT = search.visited.reachIfSeen(fp, key);
                if (maskT < 0) {
                    maskT = search.visited.reach(fp, key, Masks.of(t, spec.geometry()));
                }
                if ((maskT & ~maskS) != 0) {
                    StepClasses.broken(maskS, t, maskT, spec.geometry(), c -> offer(c, key));
                }
            }
        }

        private void offer(ViolationClass c, long key) {
            if (!search.found.containsKey(c)) {
                work.offer(c, key);
            }
        }
    }
}
