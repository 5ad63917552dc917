package dev.bitmig.impl.policy;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.impl.store.StoredEntry;
import dev.bitmig.model.CanaryPolicy;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.PolicyState;
import dev.bitmig.model.NodeId;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The canary proposal: inactivation stores, keeps the rest in RAM and writes a coarse persistent canary entry that is
 * never migrated; activation judges the kept bitmaps by the canary (drop or merge), then activates as upstream.
 */
public class Canary extends QemuUpstream {
    private final boolean merge;
    private final int granularityClusters;

    /** The nodes that inactivated with their own canary and judge by it when they activate (CanaryPolicy.Armed). */
    private final java.util.EnumSet<NodeId> armed = java.util.EnumSet.noneOf(NodeId.class);

    @Override
    public PolicyState state() {
        return armed.isEmpty() ? PolicyState.NONE : new CanaryPolicy.Armed(io.vavr.collection.TreeSet.ofAll(armed));
    }

    @Override
    public void restore(PolicyState state) {
        armed.clear();
        if (state instanceof CanaryPolicy.Armed a) {
            armed.addAll(a.nodes().toJavaList());
        } else {
            super.restore(state);
        }
    }

    /** The node inactivated with a canary of its own and judges by it when it activates. */
    protected boolean armed(NodeId node) {
        return armed.contains(node);
    }

    @Override
    public void onExit(NodeId node) {
        armed.remove(node);
    }

    @Override
    public boolean reservesName(String name) {
        return CanaryPolicy.isCanary(name);
    }

    /** The implementation of a canary policy value, with its variant and canary granularity. */
    public Canary(CanaryPolicy p) {
        this(p.merge(), p.granularity());
    }

    public Canary(boolean merge, int granularityClusters) {
        this.merge = merge;
        this.granularityClusters = granularityClusters;
    }

    /** The merge variant (a dirty canary is merged into the kept bitmaps) rather than the drop variant. */
    public boolean merges() {
        return merge;
    }

    long granularityBytes() {
        return granularityClusters * Disk.CLUSTER;
    }

    @Override
    public Optional<String> checkInactivate(Host h, NodeId node) {
        Optional<String> conflict = Qcow2Bitmaps.storeConflict(h, node, Set.of(CanaryPolicy.nameFor(node)));
        // The canary is stored with the rest: a full volume refuses its clusters too.
        if (conflict.isEmpty() && h.image().full() && !h.node(node).readOnly()) {
            return Optional.of(QemuErrors.cannotWriteBitmap(CanaryPolicy.nameFor(node)));
        }
        return conflict;
    }

    @Override
    public void onInactivate(Host h, NodeId node) {
        BlockNode n = h.node(node);
        String own = CanaryPolicy.nameFor(node);
        n.bitmaps().remove(own);
        Qcow2Bitmaps.store(h, node, true);
        if (n.readOnly()) {
            return;
        }
        ImageStore image = h.image();
        SortedMap<String, StoredEntry> dir = image.loadDirectory();
        dir.put(own, new StoredEntry(granularityBytes(), false, true,
                Disk.serialize(h.disk().newBits(granularityBytes()))));
        image.storeEntries(node, dir);
        armed.add(node);
    }

    private enum Verdict { CLEAN, DIRTY, UNTRUSTED }

    private Verdict verdict(Host h, boolean autoclear, StoredEntry canary) {
        if (!autoclear || canary == null || canary.inUse()) {
            return Verdict.UNTRUSTED;
        }
        return h.disk().deserialize(canary.granularityBytes(), canary.data()).isEmpty() ? Verdict.CLEAN : Verdict.DIRTY;
    }

    /** RAM names that a consistent image entry supersedes: any but this node's own canary. */
    private static List<String> superseded(BlockNode n, NodeId node, boolean autoclear, SortedMap<String, StoredEntry> dir) {
        List<String> out = new ArrayList<>();
        for (String name : n.bitmaps().keySet()) {
            StoredEntry e = dir.get(name);
            if (autoclear && e != null && !e.inUse() && !name.equals(CanaryPolicy.nameFor(node))) {
                out.add(name);
            }
        }
        return out;
    }

    @Override
    public Optional<String> checkActivate(Host h, NodeId node) {
        BlockNode n = h.node(node);
        if (!armed.contains(node)) {
            if (n.run() == dev.bitmig.model.RunState.INMIGRATE && !merge) {
                TreeSet<String> ram = new TreeSet<>(n.bitmaps().keySet());
                if (verdict(h, h.image().autoclear(), h.image().loadDirectory().get(CanaryPolicy.nameFor(node.other())))
                        != Verdict.CLEAN) {
                    ram.removeAll(incomingRiding(h, n));
                }
                return Qcow2Bitmaps.loadConflict(h, !n.readOnly(), ram, h.image().autoclear(), h.image().loadDirectory());
            }
            return super.checkActivate(h, node);
        }
        boolean autoclear = h.image().autoclear();
        SortedMap<String, StoredEntry> dir = h.image().loadDirectory();
        StoredEntry canary = dir.get(CanaryPolicy.nameFor(node));
        Verdict verdict = verdict(h, autoclear, canary);
        TreeSet<String> ram = new TreeSet<>(n.bitmaps().keySet());
        ram.removeAll(superseded(n, node, autoclear, dir));
        if (verdict != Verdict.CLEAN && !merge) {
            ram.removeIf(k -> !CanaryPolicy.isCanary(k));
        }
        boolean autoclearAfter = autoclear;
        if (autoclear && canary != null) {
            dir.remove(CanaryPolicy.nameFor(node));
            autoclearAfter = !dir.isEmpty();
        }
        // Removing the canary's entry rewrites the directory, which a full volume refuses.
        if (h.image().full() && autoclear && canary != null) return Optional.of(QemuErrors.DIRECTORY_NO_SPACE);
        return Qcow2Bitmaps.loadConflict(h, !n.readOnly(), ram, autoclearAfter, dir);
    }

    @Override
    public void onActivate(Host h, NodeId node) {
        BlockNode n = h.node(node);
        if (!armed.contains(node)) {
            if (n.run() == dev.bitmig.model.RunState.INMIGRATE) {
                judgeIncoming(h, node);
            }
            super.onActivate(h, node);
            return;
        }
        ImageStore image = h.image();
        boolean autoclear = image.autoclear();
        SortedMap<String, StoredEntry> dir = image.loadDirectory();
        StoredEntry canary = dir.get(CanaryPolicy.nameFor(node));
        Verdict verdict = verdict(h, autoclear, canary);
        armed.remove(node);
        if (autoclear && canary != null) {
            image.removeEntry(node, CanaryPolicy.nameFor(node));
        }
        n.bitmaps().keySet().removeAll(superseded(n, node, autoclear, dir));
        List<String> kept = n.bitmaps().keySet().stream().filter(k -> !CanaryPolicy.isCanary(k)).toList();
        if (verdict != Verdict.CLEAN) {
            if (merge) {
                mergeInto(h, n, kept, verdict == Verdict.DIRTY ? canary : null);
            } else {
                Qcow2Bitmaps.drop(h, node, kept);
            }
        }
        super.onActivate(h, node);
    }

    /** The migrated bitmaps that arrived on the incoming node. */
    private static List<String> incomingRiding(Host h, BlockNode n) {
        List<String> out = new ArrayList<>();
        for (String name : h.migration().riding) {
            if (n.bitmaps().containsKey(name)) {
                out.add(name);
            }
        }
        return out;
    }

    /** At the end of the migration the target judges the riding bitmaps by the canary and leaves it on the image. */
    private void judgeIncoming(Host h, NodeId node) {
        BlockNode n = h.node(node);
        StoredEntry canary = h.image().loadDirectory().get(CanaryPolicy.nameFor(node.other()));
        Verdict verdict = verdict(h, h.image().autoclear(), canary);
        List<String> riding = incomingRiding(h, n);
        if (verdict == Verdict.CLEAN || riding.isEmpty()) {
            return;
        }
        if (merge) {
            mergeInto(h, n, riding, verdict == Verdict.DIRTY ? canary : null);
        } else {
            Qcow2Bitmaps.drop(h, node, riding);
        }
    }

    /** Merge the canary (at its own granularity) into the kept bitmaps, or mark them entirely dirty. */
    protected void mergeInto(Host h, BlockNode n, List<String> kept, StoredEntry canary) {
        HBitmap extra = null;
        if (canary != null) {
            HBitmap stored = h.disk().deserialize(canary.granularityBytes(), canary.data());
            extra = h.disk().newBits(granularityBytes());
            long gran = canary.granularityBytes();
            for (long g : stored.dirtyGranules()) {
                long at = g * gran;
                if (at < extra.size()) {
                    extra.set(at, Math.min(gran, extra.size() - at));
                }
            }
        }
        for (String name : kept) {
            DirtyBitmap b = n.bitmap(name);
            if (b.inconsistent()) {
                continue;
            }
            if (extra == null) {
                b.bits().set(0, b.bits().size());
            } else {
                b.bits().mergeFrom(extra);
            }
        }
    }
}
