package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.BackupJob;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.Ghost;
import dev.bitmig.model.Image;
import dev.bitmig.model.Lineage;
import dev.bitmig.model.Loss;
import dev.bitmig.model.Cause;
import dev.bitmig.model.Migration;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Origin;
import dev.bitmig.model.Phase;
import dev.bitmig.model.PolicyState;
import dev.bitmig.model.RunState;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.Successor;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The explorer's state encoding is written by hand, so this test holds it to the records: for every component of
 * every record a world is made of, a world that differs in that component alone must get another key, unless the
 * component is one the encoding leaves out on purpose (what no transition and no invariant reads), and then the key
 * must stay. A component added to a record and forgotten here fails the test, and so does one forgotten by the
 * encoding.
 */
class WorldKeyCoversEveryFieldTest {
    private static final Origin BY_GUEST = new Origin(Origin.Author.SOURCE_GUEST, Origin.Stage.NO_MIGRATION,
            Origin.Presence.ACTIVE, Origin.Presence.INACTIVE);
    private static final Bitmap A = Bitmap.added(1, 1).withPersistent(true).withGranules(TreeSet.of(0))
            .withSuccessor(Option.some(new Successor(false, TreeSet.empty())));
    private static final StoredBitmap ENTRY = new StoredBitmap(1, false, true, TreeSet.of(0), 1);
    private static final Mirror JOB = new Mirror(1, TreeSet.of(0), 2);
    private static final BackupJob BACKUP = new BackupJob("a", Action.Sync.INCREMENTAL, Action.BitmapMode.ON_SUCCESS,
            TreeSet.of(0), TreeMap.of(0, BY_GUEST), 2);
    private static final Lineage L1 = Lineage.fresh(true, true, 1).written(TreeSet.of(0), BY_GUEST);
    private static final Lineage L2 = Lineage.fresh(false, true, 2).written(TreeSet.of(0), BY_GUEST);

    private static World base() {
        Image image = new Image(0, io.vavr.collection.Vector.fill(3, () -> 0), true, TreeMap.of("a", ENTRY),
                Option.some(NodeId.SOURCE));
        Node source = new Node(RunState.RUNNING, BlockState.ACTIVE, false, TreeMap.of("a", A), Option.some(JOB))
                .withBackup(Option.some(BACKUP));
        Node target = new Node(RunState.INMIGRATE, BlockState.INACTIVE, false, TreeMap.empty(), Option.none());
        Migration m = new Migration(Phase.ACTIVE, true, false, false, TreeSet.of("a"), TreeSet.of("a"), Option.none());
        return new World(image, source, target, m, new Ghost(TreeMap.of(1, L1, 2, L2)), List.empty(), STATE);
    }

    private static World image(World w, UnaryOperator<Image> f) {
        return w.withImage(f.apply(w.image()));
    }

    private static World source(World w, UnaryOperator<Node> f) {
        return w.withNode(NodeId.SOURCE, f.apply(w.source()));
    }

    private static World backup(World w, UnaryOperator<BackupJob> f) {
        return source(w, n -> n.withBackup(Option.some(f.apply(n.backup().get()))));
    }

    private static World bitmap(World w, UnaryOperator<Bitmap> f) {
        return source(w, n -> n.withBitmap("a", f.apply(n.bitmap("a").get())));
    }

    private static World entry(World w, UnaryOperator<StoredBitmap> f) {
        return image(w, i -> new Image(i.clock(), i.lastWrite(), i.autoclear(),
                i.directory().put("a", f.apply(i.directory().get("a").get())), i.owner()));
    }

    private static World migration(World w, UnaryOperator<Migration> f) {
        return w.withMigration(f.apply(w.migration()));
    }

    private static World lineage(World w, UnaryOperator<Lineage> f) {
        return w.withGhost(w.ghost().with(1, f.apply(w.ghost().lineage(1))));
    }

    private static World origin(World w, UnaryOperator<Origin> f) {
        return lineage(w, l -> new Lineage(l.persistent(), l.recording(), l.origins().put(0, f.apply(l.origins().get(0).get())),
                l.family()));
    }

    private static Migration m(Migration m, Phase p, boolean cap, boolean handed, boolean running,
                               io.vavr.collection.SortedSet<String> riding, io.vavr.collection.SortedSet<String> enabled,
                               Option<String> error) {
        return new Migration(p, cap, handed, running, riding, enabled, error);
    }

    /**
     * A policy's state as any policy author might write it: the encoding walks the record, so every component counts
     * without a line of encoder code.
     */
    record SomePolicyState(boolean judged, int count, NodeId node, String name, io.vavr.collection.SortedSet<NodeId> armed,
                           Option<String> pending) implements PolicyState {
    }

    private static final SomePolicyState STATE = new SomePolicyState(false, 1, NodeId.SOURCE, "a",
            TreeSet.of(NodeId.SOURCE), Option.none());

    private static World state(World w, UnaryOperator<SomePolicyState> f) {
        return w.withPolicyState(f.apply((SomePolicyState) w.policyState()));
    }

    /** Record → component → a world that differs from the base in that component alone. */
    private static Map<Class<?>, Map<String, UnaryOperator<World>>> variants() {
        Map<Class<?>, Map<String, UnaryOperator<World>>> v = new LinkedHashMap<>();
        v.put(Image.class, Map.of(
                "autoclear", w -> image(w, i -> i.withAutoclear(false)),
                "directory", w -> image(w, i -> new Image(i.clock(), i.lastWrite(), i.autoclear(), TreeMap.empty(), i.owner())),
                "owner", w -> image(w, i -> i.withOwner(Option.none())),
                "full", w -> image(w, i -> i.withFull(true))));
        v.put(Node.class, Map.of(
                // The base world's target waits with -incoming and autostarts; stop would clear it.
                "autostart", w -> w.withNode(NodeId.TARGET, w.target().withAutostart(false)),
                "noBitmaps", w -> source(w, Node::withNoBitmaps),
                "run", w -> source(w, n -> n.withRun(RunState.PAUSED)),
                "block", w -> source(w, n -> n.withBlock(BlockState.INACTIVE)),
                "readOnly", w -> source(w, n -> new Node(n.run(), n.block(), true, n.bitmaps(), n.mirror(),
                        n.autostart(), n.noBitmaps(), n.backup())),
                "bitmaps", w -> source(w, n -> n.withoutBitmap("a")),
                "mirror", w -> source(w, n -> n.withMirror(Option.none())),
                "backup", w -> source(w, n -> n.withBackup(Option.none())),
                "unflushed", w -> source(w, n -> n.withUnflushed(true))));
        v.put(BackupJob.class, Map.of(
                "bitmap", w -> backup(w, j -> new BackupJob("b", j.sync(), j.mode(), j.toCopy(), j.before(), j.since())),
                "sync", w -> backup(w, j -> new BackupJob(j.bitmap(), Action.Sync.BITMAP, j.mode(), j.toCopy(), j.before(), j.since())),
                "mode", w -> backup(w, j -> new BackupJob(j.bitmap(), j.sync(), Action.BitmapMode.ALWAYS, j.toCopy(), j.before(), j.since())),
                "toCopy", w -> backup(w, j -> j.withToCopy(TreeSet.of(1))),
                "before", w -> backup(w, j -> new BackupJob(j.bitmap(), j.sync(), j.mode(), j.toCopy(), TreeMap.empty(), j.since())),
                "since", w -> backup(w, j -> new BackupJob(j.bitmap(), j.sync(), j.mode(), j.toCopy(), j.before(), 1))));
        v.put(Bitmap.class, Map.ofEntries(
                Map.entry("granularity", w -> bitmap(w, b -> new Bitmap(2, b.persistent(), b.enabled(), b.busy(),
                        b.skipStore(), b.inconsistent(), b.readonly(), b.granules(), b.successor(), b.lineage()))),
                Map.entry("persistent", w -> bitmap(w, b -> b.withPersistent(false))),
                Map.entry("enabled", w -> bitmap(w, b -> b.withEnabled(false))),
                Map.entry("busy", w -> bitmap(w, b -> b.withBusy(true))),
                Map.entry("skipStore", w -> bitmap(w, b -> b.withSkipStore(true))),
                Map.entry("inconsistent", w -> bitmap(w, b -> b.withInconsistent(true))),
                Map.entry("readonly", w -> bitmap(w, b -> b.withReadonly(true))),
                Map.entry("granules", w -> bitmap(w, b -> b.withGranules(TreeSet.of(1)))),
                Map.entry("successor", w -> bitmap(w, b -> b.withSuccessor(Option.none()))),
                Map.entry("lineage", w -> bitmap(w, b -> b.withLineage(2)))));
        v.put(Successor.class, Map.of(
                "enabled", w -> bitmap(w, b -> b.withSuccessor(Option.some(new Successor(true, TreeSet.empty())))),
                "granules", w -> bitmap(w, b -> b.withSuccessor(Option.some(new Successor(false, TreeSet.of(2)))))));
        v.put(StoredBitmap.class, Map.of(
                "granularity", w -> entry(w, e -> new StoredBitmap(2, e.inUse(), e.auto(), e.granules(), e.lineage())),
                "inUse", w -> entry(w, e -> e.withInUse(true)),
                "auto", w -> entry(w, e -> new StoredBitmap(e.granularity(), e.inUse(), false, e.granules(), e.lineage())),
                "granules", w -> entry(w, e -> e.withGranules(TreeSet.of(2))),
                "lineage", w -> entry(w, e -> e.withLineage(2))));
        v.put(Mirror.class, Map.of(
                "granularity", w -> source(w, n -> n.withMirror(Option.some(new Mirror(2, JOB.granules(), JOB.lineage())))),
                "granules", w -> source(w, n -> n.withMirror(Option.some(JOB.withGranules(TreeSet.of(1))))),
                "lineage", w -> source(w, n -> n.withMirror(Option.some(JOB.withLineage(1))))));
        v.put(Migration.class, Map.of(
                "phase", w -> migration(w, x -> x.withPhase(Phase.COMPLETED)),
                "capability", w -> migration(w, x -> m(x, x.phase(), false, x.handedOver(), x.sourceWasRunning(), x.riding(), x.enabledAtStart(), x.error())),
                "handedOver", w -> migration(w, x -> m(x, x.phase(), x.capability(), true, x.sourceWasRunning(), x.riding(), x.enabledAtStart(), x.error())),
                "sourceWasRunning", w -> migration(w, x -> m(x, x.phase(), x.capability(), x.handedOver(), true, x.riding(), x.enabledAtStart(), x.error())),
                "riding", w -> migration(w, x -> m(x, x.phase(), x.capability(), x.handedOver(), x.sourceWasRunning(), TreeSet.empty(), x.enabledAtStart(), x.error())),
                "enabledAtStart", w -> migration(w, x -> m(x, x.phase(), x.capability(), x.handedOver(), x.sourceWasRunning(), x.riding(), TreeSet.empty(), x.error())),
                "error", w -> migration(w, x -> x.failed("Bitmap already exists: a"))));
        v.put(Ghost.class, Map.of("lineages", w -> w.withGhost(new Ghost(w.ghost().lineages().remove(2)))));
        v.put(Lineage.class, Map.of(
                "persistent", w -> lineage(w, l -> new Lineage(false, l.recording(), l.origins(), l.family())),
                "recording", w -> lineage(w, l -> l.withRecording(false)),
                "origins", w -> lineage(w, Lineage::cleared),
                "family", w -> lineage(w, l -> new Lineage(l.persistent(), l.recording(), l.origins(), 7))));
        v.put(Origin.class, Map.of(
                "author", w -> origin(w, o -> new Origin(Origin.Author.AWARE_TOOL, o.stage(), o.source(), o.target())),
                "stage", w -> origin(w, o -> new Origin(o.author(), Origin.Stage.COMPLETED, o.source(), o.target())),
                "source", w -> origin(w, o -> new Origin(o.author(), o.stage(), Origin.Presence.DOWN, o.target())),
                "target", w -> origin(w, o -> new Origin(o.author(), o.stage(), o.source(), Origin.Presence.ACTIVE))));
        v.put(World.class, Map.of(
                "image", w -> image(w, i -> i.withAutoclear(false)),
                "source", w -> source(w, n -> n.withRun(RunState.PAUSED)),
                "target", w -> w.withNode(NodeId.TARGET, Node.OFF),
                "migration", w -> w.withMigration(Migration.NONE),
                "ghost", w -> w.withGhost(Ghost.EMPTY),
                "policyState", w -> w.withPolicyState(PolicyState.NONE)));
        v.put(SomePolicyState.class, Map.of(
                "judged", w -> state(w, x -> new SomePolicyState(true, x.count(), x.node(), x.name(), x.armed(), x.pending())),
                "count", w -> state(w, x -> new SomePolicyState(x.judged(), 2, x.node(), x.name(), x.armed(), x.pending())),
                "node", w -> state(w, x -> new SomePolicyState(x.judged(), x.count(), NodeId.TARGET, x.name(), x.armed(), x.pending())),
                "name", w -> state(w, x -> new SomePolicyState(x.judged(), x.count(), x.node(), "b", x.armed(), x.pending())),
                "armed", w -> state(w, x -> new SomePolicyState(x.judged(), x.count(), x.node(), x.name(),
                        x.armed().add(NodeId.TARGET), x.pending())),
                "pending", w -> state(w, x -> new SomePolicyState(x.judged(), x.count(), x.node(), x.name(), x.armed(),
                        Option.some("a")))));
        return v;
    }

    /** Components the encoding leaves out on purpose, with a change that must keep the key. */
    private static Map<Class<?>, Map<String, UnaryOperator<World>>> leftOut() {
        return Map.of(
                Image.class, Map.of(
                        "clock", w -> image(w, i -> i.written(TreeSet.of(1))),
                        "lastWrite", w -> image(w, i -> new Image(i.clock(), i.lastWrite().update(2, 9), i.autoclear(),
                                i.directory(), i.owner()))),
                World.class, Map.of(
                        "losses", w -> w.lose(new Loss(1, "a", Cause.SILENT, false))));
    }

    @Test
    void everyComponentOfEveryRecordIsEncodedOrLeftOutOnPurpose() {
        var variants = variants();
        var leftOut = leftOut();
        for (Class<?> c : variants.keySet()) {
            Set<String> components = new java.util.TreeSet<>();
            for (var rc : c.getRecordComponents()) {
                components.add(rc.getName());
            }
            Set<String> covered = new java.util.TreeSet<>(variants.get(c).keySet());
            covered.addAll(leftOut.getOrDefault(c, Map.of()).keySet());
            assertThat(covered).as("the components of %s that this test covers", c.getSimpleName()).isEqualTo(components);
        }
    }

    @Test
    void whereTheVolumeCanFillUpWhichClustersWereEverWrittenCounts() {
        World base = base();
        World written = image(base, i -> i.written(TreeSet.of(2)));
        World again = image(written, i -> i.written(TreeSet.of(2)));
        WorldEncoder plain = new WorldEncoder(false);
        byte[] plainKey = plain.encode(base, Renaming.IDENTITY).toArray();
        assertThat(plain.encode(written, Renaming.IDENTITY).toArray()).isEqualTo(plainKey);
        WorldEncoder allocation = new WorldEncoder(false, true);
        byte[] baseKey = allocation.encode(base, Renaming.IDENTITY).toArray();
        byte[] writtenKey = allocation.encode(written, Renaming.IDENTITY).toArray();
        assertThat(writtenKey).isNotEqualTo(baseKey);
        // Only whether a cluster was written counts, not when.
        assertThat(allocation.encode(again, Renaming.IDENTITY).toArray()).isEqualTo(writtenKey);
    }

    @Test
    void aWorldThatDiffersInOneEncodedComponentGetsAnotherKey() {
        WorldKey base = WorldKey.of(base());
        variants().forEach((c, byName) -> byName.forEach((name, f) ->
                assertThat(WorldKey.of(f.apply(base())))
                        .as("%s.%s changed, so the key must change", c.getSimpleName(), name).isNotEqualTo(base)));
    }

    @Test
    void aWorldThatDiffersOnlyInWhatNoRuleReadsKeepsItsKey() {
        WorldKey base = WorldKey.of(base());
        leftOut().forEach((c, byName) -> byName.forEach((name, f) ->
                assertThat(WorldKey.of(f.apply(base()))).as("%s.%s is left out", c.getSimpleName(), name).isEqualTo(base)));
        World failed = migration(base(), x -> x.failed("one text"));
        assertThat(WorldKey.of(migration(base(), x -> x.failed("another text")))).as("the error's text is left out")
                .isEqualTo(WorldKey.of(failed));
    }

    @Test
    void everyRecordAWorldIsMadeOfIsCovered() {
        Set<Class<?>> reached = new java.util.HashSet<>();
        walk(World.class, reached);
        assertThat(variants().keySet()).containsAll(reached);
    }

    /**
     * Every record type reachable from a record's components, through vavr collections' element types too, except
     * through a component the encoding leaves out (the losses hold Loss records).
     */
    private static void walk(Class<?> c, Set<Class<?>> reached) {
        if (!c.isRecord() || !reached.add(c)) {
            return;
        }
        for (var rc : c.getRecordComponents()) {
            if (leftOut().getOrDefault(c, Map.of()).containsKey(rc.getName())) {
                continue;
            }
            walk(rc.getType(), reached);
            if (rc.getGenericType() instanceof java.lang.reflect.ParameterizedType p) {
                for (var arg : p.getActualTypeArguments()) {
                    if (arg instanceof Class<?> k) {
                        walk(k, reached);
                    }
                }
            }
        }
    }
}
