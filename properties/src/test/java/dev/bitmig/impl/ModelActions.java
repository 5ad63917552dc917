package dev.bitmig.impl;

import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.List;

/** Random model actions over two nodes, bitmaps a and b, granularities 1/2/4/8 clusters and a 16-cluster disk. */
final class ModelActions {
    static final int CLUSTERS = 16;

    private ModelActions() {
    }

    static Arbitrary<NodeId> nodes() {
        return Arbitraries.of(NodeId.values());
    }

    static Arbitrary<String> names() {
        return Arbitraries.of("a", "b");
    }

    static Arbitrary<Action> write() {
        return Combinators.combine(nodes(), Arbitraries.integers().between(0, CLUSTERS - 1),
                Arbitraries.integers().between(0, 4)).as((n, first, count) ->
                new Action.GuestWrite(n, first, Math.min(count, CLUSTERS - first)));
    }

    static Arbitrary<Action> action() {
        Arbitrary<Action> foreign = Combinators.combine(Arbitraries.of(Action.Writer.values()),
                Arbitraries.integers().between(0, CLUSTERS - 1), Arbitraries.integers().between(1, 3))
                .as((w, first, count) -> new Action.ForeignWrite(w, first, Math.min(count, CLUSTERS - first)));
        Arbitrary<Action> add = Combinators.combine(nodes(), names(), Arbitraries.of(1, 2, 4, 8),
                Arbitraries.of(true, true, false), Arbitraries.of(false, false, true))
                .as(Action.BitmapAdd::new);
        Arbitrary<Action> merge = Combinators.combine(nodes(), names(), names().list().ofMinSize(1).ofMaxSize(2))
                .as((n, t, s) -> new Action.BitmapMerge(n, t, io.vavr.collection.List.ofAll(s)));
        Arbitrary<Action> launch = Combinators.combine(nodes(), Arbitraries.of(true, true, false),
                Arbitraries.of(false, false, false, true)).as(Action.Launch::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, write()),
                net.jqwik.api.Tuple.of(1, foreign),
                net.jqwik.api.Tuple.of(2, nodes().map(Action.Inactivate::new)),
                net.jqwik.api.Tuple.of(2, nodes().map(Action.Activate::new)),
                net.jqwik.api.Tuple.of(2, nodes().map(Action.Cont::new)),
                net.jqwik.api.Tuple.of(2, nodes().map(Action.Stop::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(true, true, false).map(Action.MigrateStart::new)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(new Action.MigrateComplete())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Action.MigrateCancel())),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Action.FailPoint.values()).map(Action.MigrateFail::new)),
                net.jqwik.api.Tuple.of(4, add),
                net.jqwik.api.Tuple.of(1, Combinators.combine(nodes(), names()).as(Action.BitmapRemove::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(nodes(), names()).as(Action.BitmapClear::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(nodes(), names()).as(Action.BitmapEnable::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(nodes(), names()).as(Action.BitmapDisable::new)),
                net.jqwik.api.Tuple.of(1, merge),
                net.jqwik.api.Tuple.of(2, nodes().map(Action.Quit::new)),
                net.jqwik.api.Tuple.of(1, nodes().map(Action.Crash::new)),
                net.jqwik.api.Tuple.of(4, launch),
                net.jqwik.api.Tuple.of(1, Combinators.combine(nodes(), names()).as(Action.Backup::new)));
    }

    /**
     * A random sequence, usually after a prelude that puts bitmaps on the source and a target waiting with -incoming,
     * so that migrations with the capability happen often.
     */
    static Arbitrary<List<Action>> sequences() {
        Arbitrary<Action> sourceAdd = Combinators.combine(names(), Arbitraries.of(1, 2, 4, 8),
                Arbitraries.of(true, true, false), Arbitraries.of(false, false, true))
                .as((name, g, p, d) -> new Action.BitmapAdd(NodeId.SOURCE, name, g, p, d));
        Arbitrary<Action> sourceWrite = Combinators.combine(Arbitraries.integers().between(0, CLUSTERS - 1),
                Arbitraries.integers().between(1, 4)).as((f, c) -> new Action.GuestWrite(NodeId.SOURCE, f,
                Math.min(c, CLUSTERS - f)));
        Arbitrary<List<Action>> setup = Arbitraries.oneOf(sourceAdd, sourceAdd, sourceWrite).list().ofMaxSize(5);
        Arbitrary<List<Action>> prelude = Arbitraries.oneOf(
                Arbitraries.just(List.<Action>of()),
                setup,
                setup.map(l -> concat(l, List.of(new Action.Launch(NodeId.TARGET, true)))),
                setup.map(l -> concat(l, List.of(new Action.Quit(NodeId.SOURCE), new Action.Launch(NodeId.SOURCE, false),
                        new Action.Launch(NodeId.TARGET, true)))),
                setup.map(l -> concat(l, List.of(new Action.Launch(NodeId.TARGET, true),
                        new Action.MigrateStart(true)))));
        return Combinators.combine(prelude, action().list().ofMinSize(1).ofMaxSize(30)).as(ModelActions::concat);
    }

    private static List<Action> concat(List<Action> a, List<Action> b) {
        List<Action> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static Arbitrary<Policy> policies() {
        return Arbitraries.of(Policies.ALL.toJavaList());
    }
}
