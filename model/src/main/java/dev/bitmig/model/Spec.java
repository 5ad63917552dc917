package dev.bitmig.model;

import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;

/**
 * The specification: a total transition function. Every action in every world gives the next world or a typed
 * rejection; nothing throws. After each step the bookkeeping records which persistent bitmaps stopped being
 * available, and why.
 */
public final class Spec {
    private final Policy policy;
    private final Geometry geometry;
    private final Transitions transitions;

    public Spec(Policy policy, Geometry geometry) {
        this.policy = policy;
        this.geometry = geometry;
        this.transitions = new Transitions(policy, geometry);
    }

    public Policy policy() {
        return policy;
    }

    public Geometry geometry() {
        return geometry;
    }

    public Outcome apply(World w, Action a) {
        World start = w.withLosses(List.empty());
        Outcome o = a.accept(transitions.in(start));
        if (o instanceof Outcome.Next next) {
            return next.world() == start ? Outcome.next(start) : Outcome.next(bookkeeping(start, next.world(), a));
        }
        return o;
    }

    /**
     * Every persistent lineage that was available before the step and is not after it is a loss. A loss that the
     * step declared keeps its declared cause; any other gets the action's visible cause, or SILENT.
     */
    private World bookkeeping(World before, World after, Action a) {
        SortedSet<Integer> lost = available(before).removeAll(available(after));
        List<Loss> losses = List.empty();
        for (int family : lost) {
            Loss declared = after.losses().find(l -> before.ghost().family(l.lineage()) == family)
                    .getOrElse(() -> new Loss(family, nameOf(before, family), visibleCause(a), false));
            losses = losses.append(declared);
        }
        World w = after.withLosses(losses);
        return w.withGhost(w.ghost().retain(w.referencedLineages()));
    }

    /** The cause a user sees when this action makes a persistent bitmap disappear. */
    private static Cause visibleCause(Action a) {
        if (a instanceof Action.Crash) {
            return Cause.CRASH;
        }
        if (a instanceof Action.BitmapRemove) {
            return Cause.REMOVED;
        }
        if (a instanceof Action.ForeignWrite f && f.writer() == Action.Writer.UNAWARE) {
            return Cause.UNAWARE_WRITER;
        }
        return Cause.SILENT;
    }

    /**
     * Persistent user bitmaps (lineage families) that still exist for the user: a consistent copy in RAM of a QEMU that
     * is not waiting for an incoming migration (an incoming copy is unfinished until completion), or an entry on the
     * image that would load as consistent.
     */
    public static SortedSet<Integer> available(World w) {
        SortedSet<Integer> ids = TreeSet.empty();
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            if (n.isOn() && n.run() != RunState.INMIGRATE) {
                ids = ids.addAll(n.bitmaps().values().filter(b -> !b.inconsistent()).map(Bitmap::lineage));
            }
        }
        ids = ids.addAll(w.image().consistentEntries().values().map(StoredBitmap::lineage));
        return ids.filter(id -> w.ghost().lineages().get(id).exists(Lineage::persistent)).map(w.ghost()::family);
    }

    private static String nameOf(World w, int family) {
        for (NodeId id : NodeId.values()) {
            var hit = w.node(id).bitmaps().find(e -> w.ghost().family(e._2.lineage()) == family);
            if (hit.isDefined()) {
                return hit.get()._1;
            }
        }
        return w.image().directory().find(e -> w.ghost().family(e._2.lineage()) == family).map(e -> e._1).getOrElse("?");
    }
}
