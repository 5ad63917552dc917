package dev.bitmig.model;

import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;

import java.util.BitSet;

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
        return from(w).apply(a);
    }

    /** Steps from one world: what the world has available is computed once, however many actions are tried. */
    public From from(World w) {
        return new From(w);
    }

    /** Every step from one world. Not thread-safe: one per thread. */
    public final class From {
        private final World start;
        /** The families available in the start world; read, never changed. */
        private final BitSet before;
        private final Action.Visitor<Outcome> rules;

        private From(World w) {
            // A step that changes nothing returns the very world it was given (the explorer skips such self-loops).
            this.start = w.losses().isEmpty() ? w : w.withLosses(List.empty());
            this.before = availableFamilies(start);
            this.rules = transitions.in(start);
        }

        public Outcome apply(Action a) {
            Outcome o = a.accept(rules);
            if (o instanceof Outcome.Next next && next.world() != start) {
                return Outcome.next(bookkeeping(start, before, exits(start, next.world()), a));
            }
            if (o instanceof Outcome.Failed failed) {
                return Outcome.failed(bookkeeping(start, before, exits(start, failed.world()), a), failed.reason());
            }
            return o;
        }
    }

    /** Every QEMU process that ended in this step takes the policy's memory of it along (Policy.onExit). */
    private World exits(World before, World after) {
        World w = after;
        for (NodeId id : NodeId.values()) {
            if (before.node(id).isOn() && !after.node(id).isOn()) {
                w = policy.onExit(w, id);
            }
        }
        return w;
    }

    /**
     * Every persistent lineage that was available before the step and is not after it is a loss. A loss that the
     * step declared keeps its declared cause; any other gets the action's visible cause, or SILENT.
     */
    private static World bookkeeping(World before, BitSet availableBefore, World after, Action a) {
        BitSet lost = (BitSet) availableBefore.clone();
        lost.andNot(availableFamilies(after));
        List<Loss> losses = List.empty();
        for (int family = lost.nextSetBit(0); family >= 0; family = lost.nextSetBit(family + 1)) {
            int f = family;
            Loss declared = after.losses().find(l -> before.ghost().family(l.lineage()) == f)
                    .getOrElse(() -> new Loss(f, nameOf(before, f), visibleCause(a), false));
            losses = losses.append(declared);
        }
        World w = after.losses().isEmpty() && losses.isEmpty() ? after : after.withLosses(losses);
        return retainReferenced(w);
    }

    /** The ghost forgets every lineage that no bitmap, job or entry refers to any more. */
    private static World retainReferenced(World w) {
        BitSet referenced = new BitSet();
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            for (var b : n.bitmaps()) {
                referenced.set(b._2.lineage());
            }
            for (Mirror m : n.mirror()) {
                referenced.set(m.lineage());
            }
            for (BackupJob j : n.backup()) {
                referenced.set(j.since());
            }
        }
        for (var e : w.image().directory()) {
            referenced.set(e._2.lineage());
        }
        boolean all = true;
        for (var l : w.ghost().lineages()) {
            all &= referenced.get(l._1);
        }
        return all ? w : w.withGhost(new Ghost(w.ghost().lineages().filterKeys(referenced::get)));
    }

    /** The cause a user sees when this action makes a persistent bitmap disappear. */
    private static Cause visibleCause(Action a) {
        if (a instanceof Action.Crash) {
            return Cause.CRASH;
        }
        if (a instanceof Action.BitmapRemove || a instanceof Action.ImgBitmap i && i.op() == Action.ImgOp.REMOVE) {
            return Cause.REMOVED;
        }
        if (a instanceof Action.ForeignWrite f && f.writer() == Action.Writer.UNAWARE) {
            return Cause.UNAWARE_WRITER;
        }
        return Cause.SILENT;
    }

    /**
     * Persistent user bitmaps (lineage families) that still exist for the user: a consistent, finished copy in RAM of
     * a QEMU that still has its medium (an incoming copy is unfinished until completion, Node.unfinished), or an entry
     * on the image that would load as consistent.
     */
    public static SortedSet<Integer> available(World w) {
        return TreeSet.ofAll(availableFamilies(w).stream().boxed());
    }

    private static BitSet availableFamilies(World w) {
        BitSet ids = new BitSet();
        Ghost ghost = w.ghost();
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            // An ejected node's bitmaps can be neither read nor stored (D4).
            if (n.isOn() && n.block() != BlockState.EJECTED) {
                for (var b : n.bitmaps()) {
                    if (!b._2.inconsistent() && !n.unfinished(b._1, b._2)) {
                        markPersistent(ghost, b._2.lineage(), ids);
                    }
                }
            }
        }
        if (w.image().autoclear()) {
            for (var e : w.image().directory()) {
                if (!e._2.inUse()) {
                    markPersistent(ghost, e._2.lineage(), ids);
                }
            }
        }
        return ids;
    }

    private static void markPersistent(Ghost ghost, int lineage, BitSet ids) {
        Lineage l = ghost.lineages().get(lineage).getOrNull();
        if (l != null && l.persistent()) {
            ids.set(l.family());
        }
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
