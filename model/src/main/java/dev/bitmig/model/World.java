package dev.bitmig.model;

import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;

/**
 * The whole state: the shared image, the two QEMU processes, the migration between them, the ghost truth, the losses
 * that the last action caused, and the policy's own state ({@link PolicyState}).
 */
public record World(Image image, Node source, Node target, Migration migration, Ghost ghost, List<Loss> losses,
                    PolicyState policyState) {

    /** A source QEMU running on a fresh image; the target is off. */
    public static World initial(Geometry geometry) {
        Image image = Image.fresh(geometry).withOwner(io.vavr.control.Option.some(NodeId.SOURCE));
        Node source = new Node(RunState.RUNNING, BlockState.ACTIVE, false, TreeMap.empty());
        return new World(image, source, Node.OFF, Migration.NONE, Ghost.EMPTY, List.empty(), PolicyState.NONE);
    }

    /** A source QEMU running on a fresh image and a target waiting with {@code -incoming}. */
    public static World initialWithIncomingTarget(Geometry geometry) {
        World w = initial(geometry);
        return w.withNode(NodeId.TARGET, new Node(RunState.INMIGRATE, BlockState.INACTIVE, false, TreeMap.empty()));
    }

    public Node node(NodeId id) {
        return id == NodeId.SOURCE ? source : target;
    }

    public World withNode(NodeId id, Node n) {
        return id == NodeId.SOURCE
                ? new World(image, n, target, migration, ghost, losses, policyState)
                : new World(image, source, n, migration, ghost, losses, policyState);
    }

    /** The image lock goes when the node that holds it gives it up (inactivation, exit): file-posix.c raw_handle_perm_lock. */
    public World withoutLockOf(NodeId node) {
        return image.owner().contains(node) ? withImage(image.withOwner(io.vavr.control.Option.none())) : this;
    }

    public World withImage(Image i) {
        return new World(i, source, target, migration, ghost, losses, policyState);
    }

    public World withMigration(Migration m) {
        return new World(image, source, target, m, ghost, losses, policyState);
    }

    public World withGhost(Ghost g) {
        return new World(image, source, target, migration, g, losses, policyState);
    }

    public World withLosses(List<Loss> l) {
        return new World(image, source, target, migration, ghost, l, policyState);
    }

    /** The policy's state after a hook changed it (a policy stores {@link PolicyState#NONE} when it has nothing to keep). */
    public World withPolicyState(PolicyState p) {
        return new World(image, source, target, migration, ghost, losses, p);
    }

    public World lose(Loss loss) {
        return withLosses(losses.append(loss));
    }

    /** Every lineage id that some bitmap in RAM or some image entry still refers to. */
    public SortedSet<Integer> referencedLineages() {
        SortedSet<Integer> ids = TreeSet.empty();
        for (NodeId id : NodeId.values()) {
            ids = ids.addAll(node(id).bitmaps().values().map(Bitmap::lineage));
            ids = ids.addAll(node(id).mirror().map(Mirror::lineage));
            ids = ids.addAll(node(id).backup().map(BackupJob::since));
        }
        return ids.addAll(image.directory().values().map(StoredBitmap::lineage));
    }

    /** The world as QEMU could show it: ghost lineages and truth erased, no losses. */
    public World observable() {
        SortedMap<String, StoredBitmap> dir = image.directory().mapValues(e -> e.withLineage(0));
        Image i = new Image(image.clock(), image.lastWrite(), image.autoclear(), dir, image.owner(), image.full());
        return new World(i, erase(source), erase(target), migration, Ghost.EMPTY, List.empty(), policyState);
    }

    private static Node erase(Node n) {
        return n.withBitmaps(n.bitmaps().mapValues(b -> b.withLineage(0))).withMirror(n.mirror().map(m -> m.withLineage(0)))
                .withBackup(n.backup().map(BackupJob::observable));
    }
}
