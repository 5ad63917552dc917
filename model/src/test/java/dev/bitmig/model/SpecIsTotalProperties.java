package dev.bitmig.model;

import io.vavr.collection.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** Every action in every reachable world gives a next world or a rejection: nothing throws. */
class SpecIsTotalProperties {
    private static final Geometry G = new Geometry(5);

    @Provide
    Arbitrary<Action> actions() {
        Arbitrary<NodeId> node = Arbitraries.of(NodeId.class);
        Arbitrary<String> name = Arbitraries.of("a", "b", "", CanaryPolicy.NAME);
        Arbitrary<Integer> pos = Arbitraries.integers().between(-1, 6);
        Arbitrary<Integer> gran = Arbitraries.of(0, 1, 2, 3, 4, 8);
        return Arbitraries.oneOf(
                Combinators.combine(node, pos, pos).as(Action.GuestWrite::new),
                Combinators.combine(Arbitraries.of(Action.Writer.class), pos, pos).as(Action.ForeignWrite::new),
                node.map(Action.Inactivate::new), node.map(Action.Activate::new), node.map(Action.Cont::new),
                node.map(Action.Stop::new), Arbitraries.of(true, false).map(Action.MigrateStart::new),
                Arbitraries.just(new Action.MigrateComplete()), Arbitraries.just(new Action.MigrateCancel()),
                Arbitraries.of(Action.FailPoint.class).map(Action.MigrateFail::new),
                Combinators.combine(node, name, gran, Arbitraries.of(true, false), Arbitraries.of(true, false))
                        .as(Action.BitmapAdd::new),
                Combinators.combine(node, name).as(Action.BitmapRemove::new),
                Combinators.combine(node, name).as(Action.BitmapClear::new),
                Combinators.combine(node, name).as(Action.BitmapEnable::new),
                Combinators.combine(node, name).as(Action.BitmapDisable::new),
                Combinators.combine(node, name, name.list().ofMaxSize(2)).as((n, t, s) -> new Action.BitmapMerge(n, t, List.ofAll(s))),
                node.map(Action.Quit::new), node.map(Action.Crash::new),
                Combinators.combine(node, Arbitraries.of(true, false), Arbitraries.of(true, false)).as(Action.Launch::new),
                Combinators.combine(node, name).as(Action.Backup::new),
                Combinators.combine(node, gran).as(Action.MirrorStart::new), node.map(Action.MirrorCopy::new),
                node.map(Action.MirrorCancel::new),
                Combinators.combine(node, name, Arbitraries.of(Action.Sync.class), Arbitraries.of(Action.BitmapMode.class))
                        .as(Action.BackupStart::new),
                node.map(Action.BackupCopy::new), node.map(Action.BackupFail::new), node.map(Action.BackupCancel::new),
                Combinators.combine(name, gran, Arbitraries.of(true, false)).as(Action.ImgBitmap::add),
                Combinators.combine(Arbitraries.of(Action.ImgOp.REMOVE, Action.ImgOp.CLEAR, Action.ImgOp.ENABLE,
                        Action.ImgOp.DISABLE), name).as(Action.ImgBitmap::of),
                Combinators.combine(name, name.filter(n -> !n.isEmpty())).as(Action.ImgBitmap::merge), Arbitraries.just(new Action.ImgCheck()),
                Arbitraries.of(true, false).map(Action.ImgConvert::new));
    }

    @Property(tries = 300)
    void everyActionSequenceGivesAnOutcomeUnderEveryPolicy(@ForAll @net.jqwik.api.constraints.Size(max = 40) java.util.List<@net.jqwik.api.From("actions") Action> actions,
                                                           @ForAll("policies") Policy policy) {
        Spec spec = new Spec(policy, G);
        World w = World.initialWithIncomingTarget(G);
        for (Action a : actions) {
            Outcome o = spec.apply(w, a);
            assertThat(o).isNotNull();
            if (o instanceof Outcome.Next next) {
                w = next.world();
                assertThat(w.ghost().lineages().keySet().toJavaSet())
                        .as("every lineage is referenced").isEqualTo(w.referencedLineages().toJavaSet());
                assertThat(Invariant.SINGLE_WRITER.holds(w, G)).as("SingleWriter after %s", a).isTrue();
            }
        }
    }

    @Provide
    Arbitrary<Policy> policies() {
        return Arbitraries.of(Policies.ALL.toJavaList());
    }
}
