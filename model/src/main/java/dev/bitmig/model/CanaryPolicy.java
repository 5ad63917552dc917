package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.vavr.control.Either;
import io.vavr.control.Option;

/**
 * The thread's proposal (Vladimir Sementsov-Ogievskiy): a small, coarse, persistent, non-migrated canary bitmap that
 * detects writes by anybody else while the source is inactive. With a dirty, in-use or missing canary the kept
 * bitmaps are dropped ({@code merge == false}) or the canary is merged into them ({@code merge == true}).
 *
 * @param granularity the canary's granularity in clusters: coarse means few bits, so little downtime
 */
public record CanaryPolicy(boolean merge, int granularity) implements Policy {
    /** The prefix of the canaries' reserved names; no canary is ever selected for the migration stream. */
    public static final String NAME = "bitmig-canary";

    /**
     * Each QEMU keeps its own canary (in QEMU it would carry the instance's UUID): two judges sharing one canary erase
     * each other's evidence (the random chains found a target whose own inactivation hid its writes from the source).
     */
    public static String nameFor(NodeId node) {
        return NAME + "-" + node.lower();
    }

    public static boolean isCanary(String name) {
        return name.startsWith(NAME);
    }
    private static final QemuUpstreamPolicy BASE = new QemuUpstreamPolicy(Release.QEMU_10_0);

    /**
     * The policy's state: the nodes that inactivated with a canary of their own and will judge their kept bitmaps by
     * it when they activate again. It lives in the QEMU process, so it ends with it ({@link #onExit}).
     */
    public record Armed(SortedSet<NodeId> nodes) implements PolicyState {
        static SortedSet<NodeId> in(World w) {
            return w.policyState() instanceof Armed a ? a.nodes() : TreeSet.empty();
        }

        static World with(World w, SortedSet<NodeId> nodes) {
            return w.withPolicyState(nodes.isEmpty() ? PolicyState.NONE : new Armed(nodes));
        }
    }

    public static boolean armed(World w, NodeId node) {
        return Armed.in(w).contains(node);
    }

    /** The canaries' names are the policy's own: never migrated, never a user's bitmap. */
    @Override
    public boolean reservesName(String name) {
        return isCanary(name);
    }

    @Override
    public World onExit(World w, NodeId node) {
        return Armed.with(w, Armed.in(w).remove(node));
    }

    /** What the source finds on the image when it activates again. */
    public enum Verdict { CLEAN, DIRTY, UNTRUSTED }

    public CanaryPolicy {
        if (!Granules.isPowerOfTwo(granularity)) {
            throw new IllegalArgumentException("canary granularity must be a power of two, got " + granularity);
        }
    }

    @Override
    public String name() {
        return merge ? "CANARY_MERGE" : "CANARY_DROP";
    }

    @Override
    public String description() {
        return "The thread's canary proposal, " + (merge ? "merge" : "drop") + " variant. At inactivation the node "
                + "stores what QEMU would store, keeps its other bitmaps in RAM without storing them, and writes a "
                + "small coarse persistent canary bitmap (granularity " + granularity + " clusters) that is never "
                + "migrated; each QEMU has its own. Whoever uses the image next records into it. At activation a clean canary lets "
                + "the kept bitmaps become persistent again; a dirty, in-use or missing canary "
                + (merge ? "is merged into the kept bitmaps, or, when it cannot be trusted, marks them entirely dirty."
                         : "drops the kept bitmaps.")
                + " A kept bitmap whose name has a consistent entry on the image (stored by the target after this node "
                + "inactivated) gives way to that newer entry. The target judges the migrated bitmaps by the same "
                + "canary when it activates at the end of the migration, and leaves the canary for the source.";
    }

    @Override
    public World onMigrationStart(World w, SortedSet<String> selected) {
        return BASE.onMigrationStart(w, selected);
    }

    /**
     * Seed thread proposal: store as R2 (other nodes' canaries this node loaded are stored with what they recorded),
     * keep the rest in RAM, write this node's own fresh canary and arm the node.
     */
    @Override
    public Either<String, World> onInactivate(World w, NodeId node, Geometry geometry) {
        Node n = w.node(node);
        String own = nameFor(node);
        return Persistence.store(w.withNode(node, n.withoutBitmap(own)), node, true).flatMap(next -> {
            if (n.readOnly()) {
                return Either.right(next);
            }
            // The canary is stored with the rest: a full volume refuses its clusters too.
            if (next.image().full()) {
                return Either.left(QemuErrors.cannotWriteBitmap(own));
            }
            int id = next.ghost().nextId();
            Image image = next.image();
            StoredBitmap fresh = StoredBitmap.storedFrom(Bitmap.added(granularity, id));
            World armed = next.withImage(image.withDirectory(image.directory().put(own, fresh)))
                    .withGhost(next.ghost().born(id, false, true));
            return Either.right(Armed.with(armed, Armed.in(armed).add(node)));
        });
    }

    /** Seed thread proposal: judge the kept bitmaps by the canary, remove it, then activate as QEMU does. */
    @Override
    public Either<String, World> onActivate(World w, NodeId node, Geometry geometry) {
        Node n = w.node(node);
        if (!armed(w, node)) {
            return BASE.onActivate(n.run() == RunState.INMIGRATE ? judgeIncoming(w, node, geometry) : w, node, geometry);
        }
        Image image = w.image();
        Option<StoredBitmap> canary = image.directory().get(nameFor(node));
        Verdict verdict = verdict(image, canary);
        // Removing the canary's entry rewrites the directory, which a full volume refuses.
        if (image.autoclear() && canary.isDefined() && image.full()) {
            return Either.left(QemuErrors.DIRECTORY_NO_SPACE);
        }
        World judged = Armed.with(w, Armed.in(w).remove(node));
        if (image.autoclear() && canary.isDefined()) {
            judged = judged.withImage(image.withDirectory(image.directory().remove(nameFor(node))));
        }
        // A consistent entry of the same name was stored after we inactivated: the image's copy is newer. That holds
        // for the other QEMU's canary too, which it re-created at its own inactivation.
        SortedSet<String> superseded = n.bitmaps().keySet().filter(image.consistentEntries()::containsKey)
                .filter(k -> !k.equals(nameFor(node)));
        judged = judged.withNode(node, judged.node(node).withBitmaps(
                judged.node(node).bitmaps().filterKeys(k -> !superseded.contains(k))));
        SortedSet<String> kept = judged.node(node).bitmaps().keySet().filter(k -> !isCanary(k));
        if (verdict == Verdict.DIRTY || verdict == Verdict.UNTRUSTED) {
            judged = merge ? mergeInto(judged, node, kept, verdict == Verdict.DIRTY ? canary : Option.none(), geometry)
                           : Persistence.drop(judged, node, kept, geometry);
        }
        return BASE.onActivate(judged, node, geometry);
    }

    /**
     * The incoming side activates at the end of the migration: the canary the source wrote at handover shows whether
     * anybody wrote the image since the bitmaps left the source. The riding bitmaps are judged; the canary stays on the
     * image, for the source to judge its own kept bitmaps later.
     */
    private World judgeIncoming(World w, NodeId node, Geometry geometry) {
        Option<StoredBitmap> canary = w.image().directory().get(nameFor(node.other()));
        Verdict verdict = verdict(w.image(), canary);
        SortedSet<String> riding = w.migration().riding().filter(w.node(node).bitmaps()::containsKey);
        if (verdict == Verdict.CLEAN || riding.isEmpty()) {
            return w;
        }
        return merge ? mergeInto(w, node, riding, verdict == Verdict.DIRTY ? canary : Option.none(), geometry)
                     : Persistence.drop(w, node, riding, geometry);
    }

    static Verdict verdict(Image image, Option<StoredBitmap> canary) {
        if (!image.autoclear() || canary.isEmpty() || canary.get().inUse()) {
            return Verdict.UNTRUSTED;
        }
        return canary.get().granules().isEmpty() ? Verdict.CLEAN : Verdict.DIRTY;
    }

    /** Merge the canary into every kept bitmap, or mark them entirely dirty when there is no canary to trust. */
    World mergeInto(World w, NodeId node, SortedSet<String> kept, Option<StoredBitmap> canary, Geometry geometry) {
        return Persistence.updateAll(w, node, kept, b -> {
            if (b.inconsistent()) {
                return b;
            }
            SortedSet<Integer> extra = canary
                    .map(c -> Granules.regrain(c.granules(), c.granularity(), b.granularity(), geometry))
                    .getOrElse(() -> Granules.all(b.granularity(), geometry));
            return b.withGranules(b.granules().addAll(extra));
        });
    }
}
