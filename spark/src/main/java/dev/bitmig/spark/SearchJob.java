package dev.bitmig.spark;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.Explorer;
import dev.bitmig.check.Fingerprint;
import dev.bitmig.model.Action;
import dev.bitmig.model.Alphabet;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import io.vavr.collection.List;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * What every task of one search needs, in a form that travels to executors: the policy by name and the bounds by
 * value. Each executor rebuilds from it the spec, the actions, the initial worlds and its own fingerprinter.
 */
final class SearchJob implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String policy;
    private final int clusters;
    private final ArrayList<Integer> granularities;
    private final ArrayList<String> names;
    private final int depth;
    private final int maxWrite;
    private final boolean readOnlyLaunch;
    private final boolean inactiveAdds;
    private final int writeStride;
    private final ArrayList<Integer> mirrorGranularities;
    private final ArrayList<String> without;
    private final boolean symmetry;

    private transient Bounds bounds;
    private transient Spec spec;
    private transient Action[] actions;
    private transient List<World> initials;

    SearchJob(Spec spec, Bounds b, boolean symmetry) {
        if (!Policies.ALL.contains(spec.policy())) {
            throw new IllegalArgumentException("the spark engine explores the registered policies only, not "
                    + spec.policy().name());
        }
        if (spec.geometry().clusters() != b.clusters()) {
            throw new IllegalArgumentException("the spec's disk has " + spec.geometry().clusters()
                    + " clusters and the bounds' " + b.clusters());
        }
        this.policy = spec.policy().name();
        this.clusters = b.clusters();
        this.granularities = new ArrayList<>(b.granularities().asJava());
        this.names = new ArrayList<>(b.names().asJava());
        this.depth = b.depth();
        this.maxWrite = b.maxWrite();
        this.readOnlyLaunch = b.readOnlyLaunch();
        this.inactiveAdds = b.inactiveAdds();
        this.writeStride = b.writeStride();
        this.mirrorGranularities = new ArrayList<>(b.mirrorGranularities().asJava());
        this.without = new ArrayList<>(b.without().asJava());
        this.symmetry = symmetry;
        if (actions().length > StatePath.MAX_ACTIONS || initials().size() > StatePath.MAX_INITIALS) {
            throw new IllegalArgumentException("the spark engine's paths name at most " + StatePath.MAX_ACTIONS
                    + " actions and " + StatePath.MAX_INITIALS + " initial worlds");
        }
    }

    Bounds bounds() {
        if (bounds == null) {
            bounds = new Bounds(clusters, List.ofAll(granularities), List.ofAll(names), depth, maxWrite, readOnlyLaunch,
                    inactiveAdds, writeStride, List.ofAll(mirrorGranularities), List.ofAll(without));
        }
        return bounds;
    }

    Policy policy() {
        return Policies.ALL.find(p -> p.name().equals(policy)).get();
    }

    Spec spec() {
        if (spec == null) {
            spec = new Spec(policy(), bounds().geometry());
        }
        return spec;
    }

    Action[] actions() {
        if (actions == null) {
            actions = bounds().actions().toJavaArray(Action[]::new);
        }
        return actions;
    }

    Alphabet alphabet() {
        return bounds().alphabet();
    }

    List<World> initials() {
        if (initials == null) {
            initials = Explorer.initialWorlds(bounds());
        }
        return initials;
    }

    /** A new fingerprinter (one per task: it keeps buffers). */
    Fingerprint fingerprint() {
        return Fingerprint.forSearch(bounds(), policy(), symmetry, true);
    }

    int depth() {
        return depth;
    }
}
