package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Migration;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.RunState;
import dev.bitmig.model.World;
import io.vavr.collection.List;

import java.util.ArrayList;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;

/**
 * Which actions a random chain tries next, from the current model world, and how often. Most are possible in that
 * world; a twentieth is drawn from every action, most of them impossible, to exercise rejections. The weights make the
 * thread's shapes common: migrate → handover → foreign or target write → activate → cont, cancel and fail before and
 * after handover, crash, an unaware writer, backup.
 */
public final class ChainGenerator {
    private final Bounds bounds;
    private final List<Action> everything;
    private final dev.bitmig.model.Alphabet alphabet;

    public ChainGenerator(Bounds bounds) {
        this.bounds = bounds;
        this.everything = bounds.actions();
        this.alphabet = bounds.alphabet();
    }

    public List<Action> everything() {
        return everything;
    }

    /** Draw the next action for this world. */
    public Action next(World w, java.util.Random random) {
        List<Weighted> c = candidates(w, random);
        int total = c.map(Weighted::weight).sum().intValue();
        int at = random.nextInt(total);
        for (Weighted x : c) {
            at -= x.weight();
            if (at < 0) {
                return x.action();
            }
        }
        return c.last().action();
    }

    /** The weighted candidates in this world (never empty); positions and sizes are drawn from {@code random}. */
    public List<Weighted> candidates(World w, java.util.Random random) {
        ArrayList<Weighted> out = new ArrayList<>();
        Node s = w.source();
        Node t = w.target();
        Migration m = w.migration();
        int n = bounds.clusters();
        // Writes, guest and foreign: a single cluster, or a range up to the bound.
        for (NodeId id : NodeId.values()) {
            if (w.node(id).isActive()) {
                out.add(new Weighted(id == TARGET ? 15 : 5, write(id, random)));
            }
        }
        boolean nobodyHolds = !s.isActive() && !t.isActive();
        if (nobodyHolds) {
            // The canary's whole point: somebody else writes while the source is inactive.
            int often = m.isActive() && m.handedOver() ? 4 : 1;
            out.add(new Weighted(6 * often, new Action.ForeignWrite(Action.Writer.AWARE, random.nextInt(n), 1)));
            out.add(new Weighted(3 * often, new Action.ForeignWrite(Action.Writer.UNAWARE, random.nextInt(n), 1)));
        }
        // Bitmaps on nodes that own the image; a node that does not may still remove one.
        for (NodeId id : NodeId.values()) {
            Node node = w.node(id);
            if (!node.isActive()) {
                if (node.isOn()) {
                    node.bitmaps().keySet().forEach(name -> out.add(new Weighted(1, new Action.BitmapRemove(id, name))));
                }
                continue;
            }
            for (String name : bounds.names()) {
                int g = bounds.granularities().get(random.nextInt(bounds.granularities().size()));
                if (!node.bitmaps().containsKey(name)) {
                    // Mostly persistent; on a read-only node mostly not, since QEMU cannot store it there ("No write
                    // access") and its inactivation then fails.
                    boolean persistent = node.readOnly() ? random.nextInt(4) == 0 : random.nextInt(4) != 0;
                    out.add(new Weighted(3, new Action.BitmapAdd(id, name, g, persistent, false)));
                } else {
                    out.add(new Weighted(1, new Action.BitmapClear(id, name)));
                    out.add(new Weighted(1, new Action.BitmapDisable(id, name)));
                    out.add(new Weighted(1, new Action.BitmapEnable(id, name)));
                    out.add(new Weighted(1, new Action.BitmapRemove(id, name)));
                    out.add(new Weighted(2, new Action.Backup(id, name)));
                    String other = bounds.names().find(x -> !x.equals(name)).getOrElse(name);
                    out.add(new Weighted(1, new Action.BitmapMerge(id, name, List.of(other))));
                }
            }
        }
        // An active mirror job: start one on a node that owns the image, let it copy, write under it, cancel it.
        if (!bounds.mirrorGranularities().isEmpty()) {
            for (NodeId id : NodeId.values()) {
                Node node = w.node(id);
                if (node.mirror().isDefined()) {
                    out.add(new Weighted(2, new Action.MirrorCopy(id)));
                    out.add(new Weighted(1, new Action.MirrorCancel(id)));
                } else if (node.isActive()) {
                    List<Integer> g = bounds.mirrorGranularities();
                    out.add(new Weighted(4, new Action.MirrorStart(id, g.get(random.nextInt(g.size())))));
                }
            }
        }
        // A backup job holding a bitmap: start one on a node that owns the image, let it copy, fail or cancel it.
        if (bounds.capabilities().backupJobs()) {
            for (NodeId id : NodeId.values()) {
                Node node = w.node(id);
                if (node.backup().isDefined()) {
                    out.add(new Weighted(8, new Action.BackupCopy(id)));
                    out.add(new Weighted(5, new Action.BackupFail(id)));
                    out.add(new Weighted(5, new Action.BackupCancel(id)));
                } else if (node.isActive() && !node.bitmaps().isEmpty()) {
                    String name = node.bitmaps().keySet().toList().get(random.nextInt(node.bitmaps().size()));
                    Action.Sync sync = Action.Sync.values()[random.nextInt(2)];
                    Action.BitmapMode mode = Action.BitmapMode.values()[random.nextInt(3)];
                    out.add(new Weighted(20, new Action.BackupStart(id, name, sync, mode)));
                }
            }
        }
        // qemu-img's offline edits: mostly while nobody holds the image (the lock refuses them otherwise).
        if (bounds.capabilities().offlineTools()) {
            offlineEdits(w, nobodyHolds ? 10 : 1, random, out);
        }
        // The volume fills up, and has space again later.
        if (bounds.capabilities().storeFailures()) {
            out.add(new Weighted(10, new Action.VolumeFull(!w.image().full())));
        }
        // Migration, weighted toward the thread's shapes.
        if (t.run() == RunState.OFF && !m.isActive()) {
            out.add(new Weighted(12, new Action.Launch(TARGET, true)));
        }
        if (t.run() == RunState.INMIGRATE && !m.isActive() && s.isActive()) {
            out.add(new Weighted(25, new Action.MigrateStart(true)));
            out.add(new Weighted(3, new Action.MigrateStart(false)));
        }
        if (m.isActive()) {
            if (!m.handedOver()) {
                // Fail or cancel before handover in well over 5% of chains too (at 2+2 a run once saw 4.6%).
                out.add(new Weighted(20, new Action.Inactivate(SOURCE)));
                out.add(new Weighted(3, new Action.MigrateFail(Action.FailPoint.BEFORE_HANDOVER)));
                out.add(new Weighted(3, new Action.MigrateCancel()));
            } else {
                // The thread's own shape (fail or cancel after handover) in well over 5% of chains, whatever the seed.
                out.add(new Weighted(12, new Action.MigrateFail(Action.FailPoint.AFTER_HANDOVER)));
                out.add(new Weighted(6, new Action.MigrateCancel()));
            }
            out.add(new Weighted(18, new Action.MigrateComplete()));
        }
        // Lifecycle: the source comes back, processes die and restart.
        if (s.isOn() && !s.isActive()) {
            out.add(new Weighted(w.target().isActive() ? 3 : 20, new Action.Cont(SOURCE)));
            out.add(new Weighted(3, new Action.Activate(SOURCE)));
            out.add(new Weighted(1, new Action.Stop(SOURCE)));
        }
        for (NodeId id : NodeId.values()) {
            Node node = w.node(id);
            if (node.isOn()) {
                out.add(new Weighted(id == TARGET && node.isActive() ? 9 : 1, new Action.Quit(id)));
                out.add(new Weighted(id == TARGET && node.isActive() ? 7 : 1, new Action.Crash(id)));
            } else if (id == SOURCE) {
                out.add(new Weighted(6, new Action.Launch(SOURCE, false)));
                if (bounds.readOnlyLaunch()) {
                    out.add(new Weighted(4, new Action.Launch(SOURCE, false, true)));
                }
            } else {
                out.add(new Weighted(1, new Action.Launch(TARGET, false)));
            }
            if (node.run() == RunState.RUNNING && !m.isActive()) {
                out.add(new Weighted(1, new Action.Stop(id)));
            }
            if (node.run() == RunState.PAUSED && node.isActive()) {
                out.add(new Weighted(2, new Action.Inactivate(id)));
                out.add(new Weighted(2, new Action.Cont(id)));
            }
        }
        // A twentieth of the time: any action at all, most of them impossible here.
        int total = out.stream().mapToInt(Weighted::weight).sum();
        int rest = Math.max(1, total / 19 / everything.size());
        for (Action a : everything) {
            if (dev.bitmig.model.Next.tried(alphabet, w, a)) {
                out.add(new Weighted(rest, a));
            }
        }
        return List.ofAll(out);
    }

    /**
     * qemu-img bitmap on the image's entries (or a name it lacks) and qemu-img check -r all, {@code weight} each, and
     * qemu-img convert --bitmaps with and without --skip-broken-bitmaps.
     */
    private void offlineEdits(World w, int weight, java.util.Random random, java.util.List<Weighted> out) {
        out.add(new Weighted(weight, new Action.ImgCheck()));
        List<String> names = bounds.names();
        String name = names.get(random.nextInt(names.size()));
        String other = names.find(x -> !x.equals(name)).getOrElse(name);
        if (!w.image().directory().containsKey(name)) {
            int g = bounds.granularities().get(random.nextInt(bounds.granularities().size()));
            out.add(new Weighted(3 * weight, Action.ImgBitmap.add(name, g, random.nextInt(4) == 0)));
        }
        for (Action.ImgOp op : java.util.List.of(Action.ImgOp.REMOVE, Action.ImgOp.CLEAR, Action.ImgOp.ENABLE,
                Action.ImgOp.DISABLE)) {
            out.add(new Weighted(weight, Action.ImgBitmap.of(op, name)));
        }
        out.add(new Weighted(weight, Action.ImgBitmap.merge(name, other)));
        // qemu-img convert --bitmaps and the rename of its copy: only while both QEMUs are off (refused otherwise).
        int convert = !w.source().isOn() && !w.target().isOn() ? 2 * weight : 1;
        out.add(new Weighted(convert, new Action.ImgConvert(false)));
        out.add(new Weighted(convert, new Action.ImgConvert(true)));
    }

    private Action write(NodeId id, java.util.Random random) {
        int n = bounds.clusters();
        int first = random.nextInt((n + bounds.writeStride() - 1) / bounds.writeStride()) * bounds.writeStride();
        int longest = Math.min(bounds.maxWrite(), n - first);
        int count = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(Math.max(1, longest));
        return new Action.GuestWrite(id, first, count);
    }
}
