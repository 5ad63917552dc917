package dev.bitmig.check;

import dev.bitmig.impl.Fault;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.impl.store.StoreWrite;
import dev.bitmig.model.Action;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Image;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;

import java.util.Set;

/**
 * The model and the implementation side by side: every action runs on both, then the seven checks.
 */
public final class Lockstep {
    /** One failed check after one step. */
    public record Failure(Check check, int step, Action action, String message) { }

    private final Spec spec;
    private final ImplSystem impl;
    private World world;
    private int steps;
    private int logSeen;

    public Lockstep(Policy policy, Geometry geometry, World initial, Set<Fault> faults) {
        this(policy, geometry, initial, faults, ImplSystem.Store.MEMORY);
    }

    /** As {@link #Lockstep(Policy, Geometry, World, Set)}, with the implementation's image kept as {@code store} says. */
    public Lockstep(Policy policy, Geometry geometry, World initial, Set<Fault> faults, ImplSystem.Store store) {
        this.spec = new Spec(policy, geometry);
        this.world = initial;
        this.impl = Concretization.of(policy, geometry, initial, faults, store);
        this.logSeen = impl.storeLog().size();
    }

    public World world() {
        return world;
    }

    public ImplSystem impl() {
        return impl;
    }

    /** Run one action on both and return every check that fails. */
    public List<Failure> step(Action a) {
        steps++;
        Outcome expected = spec.apply(world, a);
        Outcome actual;
        try {
            actual = ImplDriver.step(impl, a);
        } catch (RuntimeException e) {
            return List.of(new Failure(Check.OUTCOME, steps, a, "the implementation threw " + e));
        }
        world = expected.successor().getOrElse(world);
        List<Failure> failures = List.empty();
        java.util.List<StoreWrite> log = impl.storeLog();
        for (int i = logSeen; i < log.size(); i++) {
            if (log.get(i).fromInactiveNode()) {
                failures = failures.append(new Failure(Check.INACTIVE_WRITE, steps, a,
                        "the image was written by an inactive node: " + log.get(i)));
                break;
            }
        }
        logSeen = log.size();
        var disagreement = Agreement.compare(a, expected, actual, Abstraction.of(impl));
        if (disagreement.isDefined()) {
            Check c = !expected.error().equals(actual.error()) || expected.isRejected() ? Check.OUTCOME : Check.ABSTRACTION;
            failures = failures.append(new Failure(c, steps, a, disagreement.get()));
        }
        var untold = Agreement.told(a, expected, impl.printed());
        if (untold.isDefined()) {
            failures = failures.append(new Failure(Check.LOSS_REPORTED, steps, a, untold.get()));
        }
        Geometry g = spec.geometry();
        World implTruth = graft(Abstraction.of(impl), world);
        var under = Invariant.NO_UNDER_REPORT.violation(implTruth, g);
        if (under.isDefined()) {
            failures = failures.append(new Failure(Check.NO_UNDER_REPORT, steps, a, under.get()));
        }
        var writers = Invariant.SINGLE_WRITER.violation(world, g).orElse(Invariant.SINGLE_WRITER.violation(Abstraction.of(impl), g));
        if (writers.isDefined()) {
            failures = failures.append(new Failure(Check.SINGLE_WRITER, steps, a, writers.get()));
        }
        var silent = Invariant.NO_SILENT_LOSS.violation(world, g);
        if (silent.isDefined()) {
            failures = failures.append(new Failure(Check.NO_SILENT_LOSS, steps, a, silent.get()));
        }
        return failures;
    }

    /**
     * The implementation's own bits with the model's ghost: each bitmap and image entry takes the lineage of the
     * model's bitmap of the same place and name, so that NoUnderReport judges the implementation's bits against the
     * model's truth; a mirror job takes the model's job's lineage. Places the model does not have get no lineage (and no
     * truth).
     */
    static World graft(World implWorld, World model) {
        World w = implWorld.withGhost(model.ghost());
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            Node m = model.node(id);
            SortedMap<String, Bitmap> bitmaps = n.bitmaps().map((name, b) -> io.vavr.Tuple.of(name,
                    b.withLineage(m.bitmaps().get(name).map(Bitmap::lineage).getOrElse(-1))));
            int mirrorLineage = m.mirror().map(Mirror::lineage).getOrElse(-1);
            w = w.withNode(id, n.withBitmaps(bitmaps).withMirror(n.mirror().map(job -> job.withLineage(mirrorLineage)))
                    .withBackup(n.backup().map(job -> m.backup().map(mj -> new dev.bitmig.model.BackupJob(job.bitmap(),
                            job.sync(), job.mode(), job.toCopy(), mj.before(), mj.since())).getOrElse(job))));
        }
        Image i = w.image();
        var dir = i.directory().map((name, e) -> io.vavr.Tuple.of(name,
                e.withLineage(model.image().directory().get(name).map(x -> x.lineage()).getOrElse(-1))));
        return w.withImage(new Image(i.clock(), i.lastWrite(), i.autoclear(), dir, i.owner(), i.full()));
    }
}
