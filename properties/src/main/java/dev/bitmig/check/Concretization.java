package dev.bitmig.check;

import dev.bitmig.impl.Fault;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.impl.MigrationState;
import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.node.MirrorJob;
import dev.bitmig.impl.store.StoredEntry;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Image;
import dev.bitmig.model.Migration;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Policy;
import dev.bitmig.model.World;
import io.vavr.collection.SortedSet;

import java.util.Set;

/**
 * The inverse of the {@link Abstraction}: the implementation state that a model world describes (its ghost is
 * ignored). The migration's stream state is left to be replayed by the implementation when it next needs it.
 */
public final class Concretization {
    private Concretization() {
    }

    /** The implementation in the state the world describes, with its image in memory. */
    public static ImplSystem of(Policy policy, Geometry geometry, World w, Set<Fault> faults) {
        return of(policy, geometry, w, faults, ImplSystem.Store.MEMORY);
    }

    /** As {@link #of(Policy, Geometry, World, Set)}, with the image kept as {@code store} says. */
    public static ImplSystem of(Policy policy, Geometry geometry, World w, Set<Fault> faults, ImplSystem.Store store) {
        ImplSystem s = new ImplSystem(policy, geometry, faults, store);
        for (NodeId id : NodeId.values()) {
            s.setNode(id, node(s.disk(), w.node(id)));
        }
        image(s, geometry, w.image());
        migration(s.migration(), w.migration());
        s.policyHooks().restore(w.policyState());
        return s;
    }

    private static void image(ImplSystem s, Geometry geometry, Image img) {
        java.util.SortedMap<String, StoredEntry> dir = new java.util.TreeMap<>();
        for (var e : img.directory()) {
            long gran = (long) e._2.granularity() * Disk.CLUSTER;
            HBitmap bits = HBitmap.create(s.disk().bytes(), Long.numberOfTrailingZeros(gran));
            fill(bits, gran, e._2.granules());
            dir.put(e._1, new StoredEntry(gran, e._2.inUse(), e._2.auto(), Disk.serialize(bits)));
        }
        int[] stamps = new int[geometry.clusters()];
        for (int c = 0; c < stamps.length; c++) {
            stamps[c] = img.lastWrite().get(c);
        }
        s.image().restore(img.clock(), stamps, img.autoclear(), dir, img.owner().toJavaOptional());
        s.image().setFull(img.full());
    }

    private static void migration(MigrationState ms, Migration m) {
        ms.phase = m.phase();
        ms.capability = m.capability();
        ms.handedOver = m.handedOver();
        ms.sourceWasRunning = m.sourceWasRunning();
        ms.riding.addAll(m.riding().toJavaList());
        ms.enabledAtStart.addAll(m.enabledAtStart().toJavaList());
        ms.error = m.error().getOrNull();
    }

    private static BlockNode node(Disk disk, Node n) {
        BlockNode out = new BlockNode(n.run(), n.block(), n.readOnly());
        out.setAutostart(n.autostart());
        if (n.noBitmaps()) out.setNoBitmaps();
        out.setUnflushed(n.unflushed());
        for (var e : n.bitmaps()) {
            Bitmap b = e._2;
            long gran = (long) b.granularity() * Disk.CLUSTER;
            HBitmap bits = disk.newBits(gran);
            fill(bits, gran, b.granules());
            DirtyBitmap d = new DirtyBitmap(gran, bits, b.persistent(), b.enabled());
            d.setBusy(b.busy());
            d.setSkipStore(b.skipStore());
            d.setInconsistent(b.inconsistent());
            d.setReadonly(b.readonly());
            if (b.successor().isDefined()) {
                HBitmap sb = disk.newBits(gran);
                fill(sb, gran, b.successor().get().granules());
                d.createSuccessor(sb, b.successor().get().enabled());
            }
            out.bitmaps().put(e._1, d);
        }
        for (Mirror job : n.mirror()) {
            long gran = (long) job.granularity() * Disk.CLUSTER;
            HBitmap bits = disk.newBits(gran);
            fill(bits, gran, job.granules());
            out.setMirror(new MirrorJob(gran, bits));
        }
        for (dev.bitmig.model.BackupJob job : n.backup()) {
            HBitmap toCopy = disk.newBits(Disk.CLUSTER);
            fill(toCopy, Disk.CLUSTER, job.toCopy());
            out.setBackup(new dev.bitmig.impl.node.BackupJobState(job.bitmap(), job.sync(), job.mode(), toCopy));
        }
        return out;
    }

    private static void fill(HBitmap bits, long gran, SortedSet<Integer> granules) {
        for (int g : granules) {
            long at = g * gran;
            if (at >= 0 && at < bits.size()) {
                bits.set(at, Math.min(gran, bits.size() - at));
            }
        }
    }
}
