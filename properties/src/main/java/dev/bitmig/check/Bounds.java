package dev.bitmig.check;

import dev.bitmig.model.Capabilities;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Granules;
import dev.bitmig.model.QemuErrors;
import io.vavr.collection.List;

import java.nio.charset.StandardCharsets;

/**
 * The bounded configuration a run explores: the disk, the bitmap names and granularities the actions may use, the
 * depth, and the longest write. The canary is not among the names: the canary policies create it themselves.
 *
 * @param clusters      disk size in clusters
 * @param granularities bitmap granularities, in clusters
 * @param names         bitmap names
 * @param depth         the longest action sequence explored
 * @param maxWrite      the longest write, in clusters
 * @param readOnlyLaunch also launch QEMU on a read-only image (readonly bitmaps, H4)
 * @param writeStride   writes start only at multiples of this many clusters (1: anywhere); a coarse stride lets a
 *                      search reach bitmap word boundaries on a large disk
 * @param inactiveAdds  also add bitmaps to a node that does not own the image. QEMU accepts it, but such a bitmap
 *                      never sees the owner's writes, so every policy under-reports within four steps; off by default
 *                      so that the matrix answers the thread's question
 * @param mirrorGranularities granularities (in clusters) of the active mirror jobs the search may start; empty (the
 *                      default): no mirror job, so that the matrix is about the user's bitmaps
 * @param without       action kinds the search leaves out (ActionKinds), sorted: "if no tool ever writes the image,
 *                      does the policy still under-report?" is {@code without = [ForeignWrite]}
 * @param capabilities  what backup tools do beyond the default alphabet (backup jobs, qemu-img's offline edits); none by default, so that the
 *                      default matrix stays as it was
 */
public record Bounds(int clusters, List<Integer> granularities, List<String> names, int depth, int maxWrite,
                     boolean readOnlyLaunch, boolean inactiveAdds, int writeStride, List<Integer> mirrorGranularities,
                     List<String> without, Capabilities capabilities) {

    /** Bounds without the backup tools' capabilities. */
    public Bounds(int clusters, List<Integer> granularities, List<String> names, int depth, int maxWrite,
                  boolean readOnlyLaunch, boolean inactiveAdds, int writeStride, List<Integer> mirrorGranularities,
                  List<String> without) {
        this(clusters, granularities, names, depth, maxWrite, readOnlyLaunch, inactiveAdds, writeStride,
                mirrorGranularities, without, Capabilities.NONE);
    }

    /** Bounds without mirror jobs. */
    public Bounds(int clusters, List<Integer> granularities, List<String> names, int depth, int maxWrite,
                  boolean readOnlyLaunch, boolean inactiveAdds, int writeStride) {
        this(clusters, granularities, names, depth, maxWrite, readOnlyLaunch, inactiveAdds, writeStride, List.empty());
    }

    /** Bounds that try every kind of action. */
    public Bounds(int clusters, List<Integer> granularities, List<String> names, int depth, int maxWrite,
                  boolean readOnlyLaunch, boolean inactiveAdds, int writeStride, List<Integer> mirrorGranularities) {
        this(clusters, granularities, names, depth, maxWrite, readOnlyLaunch, inactiveAdds, writeStride,
                mirrorGranularities, List.empty());
    }

    /** The default: 3 clusters, granularities {1, 2}, names {a, b}, depth 6: within the 10 the issue allows, and what two cores explore for six policies in about two minutes. */
    public static final Bounds DEFAULT = new Bounds(3, List.of(1, 2), List.of("a", "b"), 6, 1, false, false, 1);

    /**
     * The largest disk: 4,096 clusters, two levels of HBitmap's 64-bit words. The model keeps sets of clusters, so one
     * write over a disk of a million clusters takes seconds and gigabytes.
     */
    public static final int MAX_CLUSTERS = 4096;

    public Bounds {
        if (clusters < 1 || clusters > MAX_CLUSTERS) {
            throw new IllegalArgumentException("clusters must be between 1 and " + MAX_CLUSTERS + ", got " + clusters);
        }
        if (depth < 0) {
            throw new IllegalArgumentException("depth must not be negative, got " + depth);
        }
        if (granularities.isEmpty() || granularities.exists(g -> g < 1 || Integer.bitCount(g) != 1
                || g > Granules.MAX_GRANULARITY)) {
            throw new IllegalArgumentException("granularities must be powers of two up to " + Granules.MAX_GRANULARITY
                    + ", got " + granularities.mkString(","));
        }
        if (names.isEmpty() || names.exists(n -> n.isEmpty()
                || n.getBytes(StandardCharsets.UTF_8).length > QemuErrors.MAX_NAME_BYTES)) {
            throw new IllegalArgumentException("bitmap names must be non-empty and at most " + QemuErrors.MAX_NAME_BYTES
                    + " bytes, got " + names.mkString(","));
        }
        if (writeStride < 1) {
            throw new IllegalArgumentException("the write stride must be at least one cluster, got " + writeStride);
        }
        if (!mirrorGranularities.forAll(Mirror::validGranularity)) {
            throw new IllegalArgumentException("mirror granularities must be powers of two up to "
                    + Mirror.MAX_GRANULARITY + ", got " + mirrorGranularities.mkString(","));
        }
        if (!without.forAll(ActionKinds.ALL::contains)) {
            throw new IllegalArgumentException("unknown action kind " + without.find(k -> !ActionKinds.ALL.contains(k)).get()
                    + "; kinds: " + ActionKinds.ALL.mkString(", "));
        }
        without = without.distinct().sorted();
        if (capabilities == null) {
            throw new IllegalArgumentException("capabilities must be given");
        }
        if (maxWrite < 1) {
            throw new IllegalArgumentException("the longest write must be at least one cluster, got " + maxWrite);
        }
    }

    public Bounds withInactiveAdds(boolean on) {
        return new Bounds(clusters, granularities, names, depth, maxWrite, readOnlyLaunch, on, writeStride, mirrorGranularities, without, capabilities);
    }

    public Bounds withReadOnlyLaunch(boolean on) {
        return new Bounds(clusters, granularities, names, depth, maxWrite, on, inactiveAdds, writeStride, mirrorGranularities, without, capabilities);
    }

    public Bounds withGranularities(List<Integer> g) {
        return new Bounds(clusters, g, names, depth, maxWrite, readOnlyLaunch, inactiveAdds, writeStride, mirrorGranularities, without, capabilities);
    }

    public Bounds withWriteStride(int stride) {
        return new Bounds(clusters, granularities, names, depth, maxWrite, readOnlyLaunch, inactiveAdds, stride, mirrorGranularities, without, capabilities);
    }

    public Bounds withMirrorGranularities(List<Integer> g) {
        return new Bounds(clusters, granularities, names, depth, maxWrite, readOnlyLaunch, inactiveAdds, writeStride, g, without, capabilities);
    }

    /** The same bounds with these action kinds left out (sorted, without repeats). */
    public Bounds withWithout(List<String> kinds) {
        return new Bounds(clusters, granularities, names, depth, maxWrite, readOnlyLaunch, inactiveAdds, writeStride,
                mirrorGranularities, kinds, capabilities);
    }

    /** The same bounds with these capabilities (backup jobs) on or off. */
    public Bounds withCapabilities(Capabilities c) {
        return new Bounds(clusters, granularities, names, depth, maxWrite, readOnlyLaunch, inactiveAdds, writeStride,
                mirrorGranularities, without, c);
    }

    /** The model's action alphabet under these bounds (dev.bitmig.model.Next). */
    public dev.bitmig.model.Alphabet alphabet() {
        return new dev.bitmig.model.Alphabet(clusters, granularities, names, maxWrite, readOnlyLaunch, inactiveAdds,
                writeStride, mirrorGranularities, without, capabilities);
    }

    /** Every action the search tries, in the model's fixed order. */
    public List<dev.bitmig.model.Action> actions() {
        return dev.bitmig.model.Next.actions(alphabet());
    }

    /** Whether the search tries actions of this kind. */
    public boolean tries(String kind) {
        return !without.contains(kind);
    }

    public Geometry geometry() {
        return new Geometry(clusters);
    }

    public Bounds withDepth(int d) {
        return new Bounds(clusters, granularities, names, d, maxWrite, readOnlyLaunch, inactiveAdds, writeStride, mirrorGranularities, without, capabilities);
    }

    public Bounds withClusters(int c) {
        return new Bounds(c, granularities, names, depth, Math.min(maxWrite, c), readOnlyLaunch, inactiveAdds, writeStride, mirrorGranularities, without, capabilities);
    }
}
