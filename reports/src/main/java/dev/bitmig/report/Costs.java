package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ChainGenerator;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.Lockstep;
import dev.bitmig.impl.qcow2.CrashingWriteLayer;
import dev.bitmig.impl.qcow2.MemoryWriteLayer;
import dev.bitmig.impl.qcow2.Qcow2Bitmap;
import dev.bitmig.impl.qcow2.Qcow2Image;
import dev.bitmig.model.Action;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Granules;
import dev.bitmig.model.Lineage;
import dev.bitmig.model.Loss;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;

import java.io.IOException;
import java.util.BitSet;
import java.util.Collections;
import java.util.Random;

/** What each policy costs, measured by seeded, deterministic runs. */
final class Costs {
    static final int SEQUENCES = 1000;
    static final int MAX_LENGTH = 12;
    static final long SEED = 1;
    static final long DISK_BYTES = 1L << 40;
    /** Migration-stream measurement: a 1 GiB disk (16,384 model clusters), one persistent bitmap at 64 KiB. */
    static final int WIRE_CLUSTERS = 16384;
    /** Small-scale run that finds which bitmaps a policy stores at inactivation. */
    static final int PROBE_CLUSTERS = 100;

    record Cost(String policy, int sequences, long needlessLosses, long reportedGranules, long trueGranules,
                List<String> storedAtInactivation, long storedBytes, long wireBytes, String wireNote) {
        double needlessPer1000() {
            return needlessLosses * 1000.0 / sequences;
        }

        double overReport() {
            return trueGranules == 0 ? 1.0 : (double) reportedGranules / trueGranules;
        }
    }

    static Cost of(Policy p, Bounds bounds) throws IOException {
        Geometry g = bounds.geometry();
        Spec spec = new Spec(p, g);
        ChainGenerator gen = new ChainGenerator(bounds);
        Random random = new Random(SEED);
        long needless = 0;
        long reported = 0;
        long truth = 0;
        for (int s = 0; s < SEQUENCES; s++) {
            World w = InitialWorld.BITMAP_LOADED.build(bounds);
            int length = 1 + random.nextInt(MAX_LENGTH);
            for (int i = 0; i < length; i++) {
                Action a = gen.next(w, random);
                Outcome o = spec.apply(w, a);
                if (o.successor().isDefined()) {
                    w = o.successor().get();
                    needless += w.losses().count(Loss::needless);
                }
            }
            for (NodeId id : NodeId.values()) {
                Node n = w.node(id);
                if (!n.isActive()) {
                    continue;
                }
                for (Bitmap b : n.bitmaps().values()) {
                    if (b.inconsistent()) {
                        continue;
                    }
                    SortedSet<Integer> t = w.ghost().lineages().get(b.lineage()).map(Lineage::truth).getOrElse(Granules.NONE);
                    reported += b.reported().size();
                    truth += Granules.coveringClusters(t, b.granularity()).size();
                }
            }
        }
        List<StoredBitmap> stored = List.empty();
        List<String> names = List.empty();
        for (var e : storedAtInactivation(p)) {
            names = names.append(e._1 + " (granularity " + e._2.granularity() + " clusters)");
            stored = stored.append(e._2);
        }
        long bytes = storeBytes(storedAtInactivation(p));
        long[] wire = wireBytes(p);
        return new Cost(p.name(), SEQUENCES, needless, reported, truth, names, bytes, wire[0],
                wire[1] == 1 ? "" : "migration did not complete in the model");
    }

    /** A source with one persistent 1%-dirty bitmap "a": MigrateStart(true), Stop, Inactivate(SOURCE); entries it stored. */
    static SortedMap<String, StoredBitmap> storedAtInactivation(Policy p) {
        Geometry g = new Geometry(PROBE_CLUSTERS);
        Spec spec = new Spec(p, g);
        World w = World.initialWithIncomingTarget(g);
        w = apply(spec, w, new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, false));
        w = apply(spec, w, new Action.GuestWrite(NodeId.SOURCE, 7, 1));
        w = apply(spec, w, new Action.MigrateStart(true));
        w = apply(spec, w, new Action.Stop(NodeId.SOURCE));
        SortedMap<String, StoredBitmap> before = w.image().directory();
        World after = apply(spec, w, new Action.Inactivate(NodeId.SOURCE));
        return after.image().directory().filter((name, e) -> !e.inUse() && !before.get(name).contains(e));
    }

    private static World apply(Spec spec, World w, Action a) {
        Outcome o = spec.apply(w, a);
        return o.successor().getOrElse(w);
    }

    /** Bytes written to a 1 TiB qcow2 image when the same-named bitmaps, 1% dirty, are stored at 64 KiB × granularity. */
    static long storeBytes(SortedMap<String, StoredBitmap> entries) throws IOException {
        if (entries.isEmpty()) {
            return 0;
        }
        CrashingWriteLayer layer = new CrashingWriteLayer(new MemoryWriteLayer());
        try (Qcow2Image img = Qcow2Image.create(layer, DISK_BYTES, 16)) {
            long created = layer.bytesWritten();
            java.util.List<Qcow2Bitmap> bitmaps = new java.util.ArrayList<>();
            for (var e : entries) {
                int bits = 16 + Integer.numberOfTrailingZeros(e._2.granularity());
                long granules = Qcow2Bitmap.granules(DISK_BYTES, bits);
                BitSet set = new BitSet((int) granules);
                for (long i = 0; i < granules; i += 100) {
                    set.set((int) i);
                }
                bitmaps.add(new Qcow2Bitmap(e._1, bits, true, set));
            }
            img.storeBitmaps(bitmaps, Collections.emptySet());
            return layer.bytesWritten() - created;
        }
    }

    /** wireBytes of a migration of one persistent 1%-dirty bitmap; {bytes, 1 if the migration completed}. */
    static long[] wireBytes(Policy p) {
        Geometry g = new Geometry(WIRE_CLUSTERS);
        Lockstep run = new Lockstep(p, g, World.initialWithIncomingTarget(g), Collections.emptySet());
        run.step(new Action.BitmapAdd(NodeId.SOURCE, "a", 1, true, false));
        for (int c = 0; c < WIRE_CLUSTERS; c += 100) {
            run.step(new Action.GuestWrite(NodeId.SOURCE, c, 1));
        }
        run.step(new Action.MigrateStart(true));
        run.step(new Action.Stop(NodeId.SOURCE));
        run.step(new Action.Inactivate(NodeId.SOURCE));
        run.step(new Action.MigrateComplete());
        boolean done = run.world().target().isActive() || !run.world().migration().isActive();
        return new long[] {run.impl().wireBytes(), done ? 1 : 0};
    }
}
