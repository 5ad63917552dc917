package dev.bitmig.live;

import dev.bitmig.model.Action;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.RunState;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;

/**
 * Random model action sequences (at most {@link #MAX_STEPS} steps), deterministic by seed, biased toward the shapes of
 * the 2018 thread: persistent bitmaps, guest writes, quit and relaunch (so that IN_USE entries exist), an incoming
 * target, a migration with or without the capability, completion, handover then cancel or failure, target writes,
 * crashes, relaunches and cont on the source, and QEMU 10.0's shapes: a paused target (stop on the incoming VM),
 * blockdev-set-active outside a migration, cont on the source while the target waits, a write to an inactive node.
 * The walk follows the model of the QEMU under test (QEMU_7_2 or QEMU_10_0) so that most steps are valid, and it
 * never emits a step that {@link LiveSystem} cannot map (Backup, the mirror job, anything aimed at the target held
 * between handover and completion).
 */
public final class SequenceGenerator {
    public static final int MAX_STEPS = 12;
    private static final String[] NAMES = {"a", "b"};
    private static final int[] GRANULARITIES = {1, 1, 2, 4};

    private final Geometry geometry;
    private final Spec spec;
    private final boolean backupJobs;
    private final boolean offlineTools;
    private final boolean storeFailures;

    public SequenceGenerator(Geometry geometry) {
        this(geometry, false);
    }

    /**
     * With {@code backupJobs}, also backup jobs that hold a bitmap ({@link BackupJobSteps}); without, the sequences are
     * those of every earlier campaign, seed for seed.
     */
    public SequenceGenerator(Geometry geometry, boolean backupJobs) {
        this(geometry, backupJobs, false);
    }

    /**
     * With {@code offlineTools}, also qemu-img bitmap, qemu-img check -r all and qemu-img convert --bitmaps
     * ({@link OfflineToolSteps}).
     */
    public SequenceGenerator(Geometry geometry, boolean backupJobs, boolean offlineTools) {
        this(geometry, backupJobs, offlineTools, false);
    }

    /**
     * With {@code storeFailures}, also a volume that fills up and is freed again ({@link Action.VolumeFull}), never
     * while the target is held between handover and completion (its blkdebug layer could not be switched).
     */
    public SequenceGenerator(Geometry geometry, boolean backupJobs, boolean offlineTools, boolean storeFailures) {
        this.geometry = geometry;
        this.spec = new Spec(QemuInstall.policy(), geometry);
        this.backupJobs = backupJobs;
        this.offlineTools = offlineTools;
        this.storeFailures = storeFailures;
    }

    public List<Action> generate(long seed) {
        Random r = new Random(seed);
        int length = 6 + r.nextInt(MAX_STEPS - 5);
        World w = World.initial(geometry);
        List<Action> out = new ArrayList<>();
        while (out.size() < length) {
            Action a = choose(w, r);
            out.add(a);
            Outcome o = spec.apply(w, a);
            w = o.successor().getOrElse(w);
            // QEMU copies a job's first cluster as soon as it starts: the model's first copy follows at once.
            Action.BackupCopy first = BackupJobSteps.firstCopy(a, w);
            if (first != null && out.size() < length) {
                out.add(first);
                w = spec.apply(w, first).successor().getOrElse(w);
            }
        }
        return out;
    }

    private record Weighted(double weight, Action action) {
    }

    private Action choose(World w, Random r) {
        List<Weighted> c = new ArrayList<>();
        Node s = w.source();
        Node t = w.target();
        boolean migrating = w.migration().isActive();
        boolean handedOver = migrating && w.migration().handedOver();

        if (!s.isOn()) {
            c.add(new Weighted(6, new Action.Launch(SOURCE, false)));
        }
        if (!t.isOn() && !migrating) {
            c.add(new Weighted(s.isActive() ? 4 : 1, new Action.Launch(TARGET, true)));
            c.add(new Weighted(0.3, new Action.Launch(TARGET, false)));
        }
        if (s.isActive() && !handedOver) {
            if (s.bitmaps().size() < 2) {
                String name = s.bitmaps().containsKey("a") ? "b" : "a";
                c.add(new Weighted(s.bitmaps().isEmpty() ? 6 : 2, new Action.BitmapAdd(SOURCE, name,
                        GRANULARITIES[r.nextInt(GRANULARITIES.length)], r.nextInt(10) < 8, r.nextInt(10) < 1)));
            }
            c.add(new Weighted(3, write(SOURCE, r)));
            bitmapOps(c, SOURCE, s, r);
        }
        if (s.isOn() && !migrating && !handedOver && s.run() != RunState.INMIGRATE) {
            c.add(new Weighted(1.2, new Action.Quit(SOURCE)));
            c.add(new Weighted(0.4, new Action.Crash(SOURCE)));
            if (s.run() == RunState.POSTMIGRATE || s.run() == RunState.PAUSED) {
                c.add(new Weighted(3, new Action.Cont(SOURCE)));
            }
            if (s.run() == RunState.RUNNING || s.run() == RunState.POSTMIGRATE) {
                c.add(new Weighted(0.3, new Action.Stop(SOURCE)));
            }
        }
        // A source whose caches hold a refused allocation on a full volume fails QEMU's migration at its VM stop, which
        // pause-before-switchover puts before the point mapped to MigrateStart: not mappable (LiveMapper).
        if (!migrating && t.run() == RunState.INMIGRATE && s.isActive() && !(w.image().full() && s.unflushed())) {
            c.add(new Weighted(8, new Action.MigrateStart(r.nextInt(4) != 0)));
        }
        if (migrating && !handedOver) {
            c.add(new Weighted(3, new Action.MigrateComplete()));
            c.add(new Weighted(2.5, new Action.Inactivate(SOURCE)));
            c.add(new Weighted(0.7, new Action.MigrateCancel()));
            c.add(new Weighted(0.7, new Action.MigrateFail(Action.FailPoint.BEFORE_HANDOVER)));
            c.add(new Weighted(0.7, new Action.MigrateFail(Action.FailPoint.AFTER_HANDOVER)));
            c.add(new Weighted(0.4, new Action.Crash(TARGET)));
            c.add(new Weighted(0.2, new Action.Quit(TARGET)));
            c.add(new Weighted(0.2, new Action.Crash(SOURCE)));
        }
        if (handedOver) {
            c.add(new Weighted(3, new Action.MigrateComplete()));
            c.add(new Weighted(2, new Action.MigrateCancel()));
            c.add(new Weighted(2, new Action.MigrateFail(Action.FailPoint.AFTER_HANDOVER)));
            c.add(new Weighted(0.8, new Action.ForeignWrite(Action.Writer.AWARE, r.nextInt(geometry.clusters()), 1)));
            c.add(new Weighted(0.5, new Action.Cont(SOURCE)));
            c.add(new Weighted(0.3, new Action.Crash(SOURCE)));
        }
        if (t.isActive()) {
            c.add(new Weighted(3, write(TARGET, r)));
            c.add(new Weighted(1.5, new Action.Quit(TARGET)));
            c.add(new Weighted(1.5, new Action.Crash(TARGET)));
            bitmapOps(c, TARGET, t, r);
        }
        if (!s.isActive() && !t.isActive() && !migrating) {
            c.add(new Weighted(0.8, new Action.ForeignWrite(Action.Writer.AWARE, r.nextInt(geometry.clusters()), 1)));
            c.add(new Weighted(0.3, new Action.ForeignWrite(Action.Writer.UNAWARE, r.nextInt(geometry.clusters()), 1)));
        }
        // QEMU 10.0's shapes: a paused target (stop on the incoming VM, as libvirt's -S), late activation at its own
        // cont, blockdev-set-active outside a migration, and a write to an inactive node. QEMU 7.2 refuses
        // blockdev-set-active, so there they are rarer.
        double setActive = spec.policy().release().hasBlockdevSetActive() ? 1 : 0.15;
        if (t.run() == RunState.INMIGRATE && !handedOver) {
            c.add(new Weighted(t.autostart() ? 1.5 : 0.3, t.autostart() ? new Action.Stop(TARGET) : new Action.Cont(TARGET)));
        }
        if (t.isOn() && t.run() == RunState.PAUSED && !migrating) {
            c.add(new Weighted(3, new Action.Cont(TARGET)));
            c.add(new Weighted(0.3, new Action.Quit(TARGET)));
        }
        for (NodeId n : NodeId.values()) {
            Node node = w.node(n);
            if (!node.isOn() || migrating || node.run() == RunState.INMIGRATE) {
                continue;
            }
            if (node.isActive()) {
                c.add(new Weighted(0.6 * setActive, new Action.Inactivate(n)));
            } else if (node.block() == dev.bitmig.model.BlockState.INACTIVE) {
                c.add(new Weighted(1.5 * setActive, new Action.Activate(n)));
                c.add(new Weighted(0.2, write(n, r)));
            }
        }
        if (backupJobs && !migrating) {
            for (NodeId n : NodeId.values()) {
                BackupJobSteps.add(w, n, r).forEach(x -> c.add(new Weighted(x.weight(), x.action())));
            }
        }
        if (offlineTools) {
            OfflineToolSteps.add(w, r).forEach(x -> c.add(new Weighted(x.weight(), x.action())));
        }
        if (storeFailures && !handedOver) {
            // Full now and then, and freed again soon: most of a sequence still runs with space.
            c.add(new Weighted(w.image().full() ? 1.5 : 0.8, new Action.VolumeFull(!w.image().full())));
        }
        if (c.isEmpty()) {
            c.add(new Weighted(1, s.isOn() ? new Action.Quit(SOURCE) : new Action.Launch(SOURCE, false)));
        }
        double total = c.stream().mapToDouble(Weighted::weight).sum();
        double x = r.nextDouble() * total;
        for (Weighted wa : c) {
            x -= wa.weight();
            if (x <= 0) {
                return wa.action();
            }
        }
        return c.get(c.size() - 1).action();
    }

    private Action write(NodeId n, Random r) {
        int first = r.nextInt(geometry.clusters());
        int count = 1 + r.nextInt(Math.min(2, geometry.clusters() - first));
        return new Action.GuestWrite(n, first, count);
    }

    private static void bitmapOps(List<Weighted> c, NodeId n, Node node, Random r) {
        if (node.bitmaps().isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(node.bitmaps().keySet().toJavaList());
        String name = names.get(r.nextInt(names.size()));
        Bitmap b = node.bitmaps().get(name).get();
        c.add(new Weighted(0.4, new Action.BitmapRemove(n, name)));
        c.add(new Weighted(0.4, new Action.BitmapClear(n, name)));
        c.add(new Weighted(0.4, b.enabled() ? new Action.BitmapDisable(n, name) : new Action.BitmapEnable(n, name)));
        if (names.size() > 1) {
            String other = names.get(0).equals(name) ? names.get(1) : names.get(0);
            c.add(new Weighted(0.3, new Action.BitmapMerge(n, name, io.vavr.collection.List.of(other))));
        }
    }

    /** NAMES is kept for documentation of the generator's vocabulary. */
    static List<String> names() {
        return List.of(NAMES);
    }
}
