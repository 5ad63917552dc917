package dev.bitmig.impl;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.node.MirrorJob;
import dev.bitmig.impl.policy.Host;
import dev.bitmig.impl.policy.ImplPolicy;
import dev.bitmig.impl.policy.Qcow2Bitmaps;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.impl.store.InMemoryImageStore;
import dev.bitmig.impl.store.StoreWrite;
import dev.bitmig.impl.store.StoredEntry;
import dev.bitmig.impl.stream.BitmapId;
import dev.bitmig.impl.stream.DecodedBitmap;
import dev.bitmig.impl.stream.MigratingBitmap;
import dev.bitmig.impl.stream.StreamDecoder;
import dev.bitmig.impl.stream.StreamEncoder;
import dev.bitmig.impl.stream.StreamEncodingException;
import dev.bitmig.impl.stream.StreamEvent;
import dev.bitmig.impl.stream.StreamFormatException;
import dev.bitmig.model.Action;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.CanaryPolicy;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Ghost;
import dev.bitmig.model.Image;
import dev.bitmig.model.Migration;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Phase;
import dev.bitmig.model.Policy;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.Successor;
import dev.bitmig.model.World;
import dev.bitmig.model.scenario.Driver;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.collection.Vector;
import io.vavr.control.Option;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The optimized implementation behind the model's {@link Driver} interface: two QEMU processes with mutable block
 * nodes and HBitmap-backed dirty bitmaps, an image store that logs every write, a real dirty-bitmap migration byte
 * stream, and the six policies. Every action is validated before anything changes, so a rejected action leaves the
 * state as it was.
 */
public final class ImplSystem implements Driver, Host {
    /** The block node name both processes use in the migration stream. */
    public static final String NODE_NAME = "drive0";

    private final Policy modelPolicy;
    private final ImplPolicy policy;
    private final Geometry geometry;
    private final Disk disk;
    private final Set<Fault> faults;
    private final Set<dev.bitmig.impl.stream.StreamFault> streamFaults;
    private BlockNode source;
    private BlockNode target;
    private final ImageStore image;

    /** Where the implementation keeps the image: a logged in-memory directory, or a real qcow2 file in memory. */
    public enum Store { MEMORY, QCOW2 }
    private final MigrationState migration = new MigrationState();
    private long wireBytes;

    /** A source QEMU running on a fresh image; the target is off (as {@link World#initial}). */
    public ImplSystem(Policy policy, Geometry geometry, Set<Fault> faults) {
        this(policy, geometry, faults, Store.MEMORY);
    }

    /** As {@link #ImplSystem(Policy, Geometry, Set)}, with the image kept as {@code store} says. */
    public ImplSystem(Policy policy, Geometry geometry, Set<Fault> faults, Store store) {
        this.modelPolicy = policy;
        this.policy = ImplPolicy.of(policy);
        this.geometry = geometry;
        this.faults = faults.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(faults));
        this.streamFaults = Fault.streamFaults(this.faults);
        this.disk = new Disk(geometry.clusters(), Fault.hbitmapFaults(this.faults));
        this.source = new BlockNode(RunState.RUNNING, BlockState.ACTIVE, false);
        this.target = BlockNode.off();
        this.image = store == Store.QCOW2
                ? new dev.bitmig.impl.store.Qcow2ImageStore(geometry.clusters(), Disk.CLUSTER, id -> node(id).isActive())
                : new InMemoryImageStore(geometry.clusters(), id -> node(id).isActive());
        image.setOwner(Optional.of(NodeId.SOURCE));
    }

    // ------------------------------------------------------------------------------------------------ accessors

    @Override
    public BlockNode node(NodeId id) {
        return id == NodeId.SOURCE ? source : target;
    }

    private void setNode(NodeId id, BlockNode n) {
        if (id == NodeId.SOURCE) {
            source = n;
        } else {
            target = n;
        }
    }

    @Override
    public ImageStore image() {
        return image;
    }

    @Override
    public Disk disk() {
        return disk;
    }

    @Override
    public MigrationState migration() {
        return migration;
    }

    @Override
    public Set<Fault> faults() {
        return faults;
    }

    public Policy policy() {
        return modelPolicy;
    }

    public Geometry geometry() {
        return geometry;
    }

    /** Bytes of dirty-bitmap migration stream sent so far (setup and completion sections). */
    public long wireBytes() {
        return wireBytes;
    }

    /** Every image write so far. */
    public List<StoreWrite> storeLog() {
        return image.log();
    }

    // ------------------------------------------------------------------------------------------------ driver

    @Override
    public Outcome step(Action action) {
        try {
            action.accept(new Step());
            return Outcome.next(abstraction());
        } catch (Rejection r) {
            return Outcome.rejected(r.getMessage());
        }
    }

    @Override
    public World world() {
        return abstraction();
    }

    /** A rejection: thrown only before anything changed. */
    private static final class Rejection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejection(String reason) {
            super(reason, null, false, false);
        }
    }

    private static void reject(String reason) {
        throw new Rejection(reason);
    }

    private static void rejectIf(Optional<String> reason) {
        reason.ifPresent(ImplSystem::reject);
    }

    private BlockNode running(NodeId id) {
        BlockNode n = node(id);
        if (!n.isOn()) reject(QemuErrors.notRunning(id));
        return n;
    }

    private final class Step implements Action.Visitor<Void> {

        @Override
        public Void visit(Action.GuestWrite a) {
            BlockNode n = running(a.node());
            if (!geometry.inBounds(a.first(), a.count())) reject(QemuErrors.WRITE_OUT_OF_RANGE);
            if (!n.isActive() || n.readOnly()) reject(QemuErrors.NODE_READ_ONLY);
            if (n.anyReadonly()) reject(QemuErrors.WRITE_NOT_PERMITTED);
            n.markDirty(a.first() * Disk.CLUSTER, a.count() * Disk.CLUSTER);
            if (n.mirror() != null) {
                n.mirror().activeWrite(a.first() * Disk.CLUSTER, a.count() * Disk.CLUSTER,
                        faults.contains(Fault.HBITMAP_RESET_ROUNDS_OUTWARD));
            }
            image.writeData(a.node(), a.first(), a.count());
            return null;
        }

        @Override
        public Void visit(Action.ForeignWrite a) {
            if (source.isActive() || target.isActive()) reject(QemuErrors.WRITE_LOCK);
            if (!geometry.inBounds(a.first(), a.count())) reject(QemuErrors.WRITE_OUT_OF_RANGE);
            if (a.writer() == Action.Writer.AWARE) {
                java.util.SortedMap<String, StoredEntry> dir =
                        image.autoclear() ? image.loadDirectory() : new java.util.TreeMap<>();
                for (var e : dir.entrySet()) {
                    StoredEntry entry = e.getValue();
                    if (entry.inUse() || !entry.auto()) {
                        continue;
                    }
                    HBitmap bits = disk.deserialize(entry.granularityBytes(), entry.data());
                    bits.set(a.first() * Disk.CLUSTER, a.count() * Disk.CLUSTER);
                    e.setValue(entry.withData(Disk.serialize(bits)));
                }
                image.storeEntries(null, dir);
            } else {
                image.clearAutoclear(null);
            }
            image.writeData(null, a.first(), a.count());
            return null;
        }

        @Override
        public Void visit(Action.Inactivate a) {
            BlockNode n = running(a.node());
            if (a.node() == NodeId.SOURCE && migration.isActive() && !migration.handedOver) {
                handover();
                return null;
            }
            if (n.block() == BlockState.INACTIVE) return null;
            if (n.run() == RunState.RUNNING) reject(QemuErrors.VM_RUNNING);
            policy.checkInactivate(ImplSystem.this, a.node()).ifPresent(e -> reject(QemuErrors.lostOnInactivation(e)));
            inactivate(a.node());
            return null;
        }

        @Override
        public Void visit(Action.Activate a) {
            BlockNode n = running(a.node());
            if (n.run() == RunState.INMIGRATE) reject(QemuErrors.INCOMING_NODE);
            if (a.node() == NodeId.SOURCE && migration.isActive()) reject(QemuErrors.MIGRATION_IN_PROGRESS);
            if (n.block() == BlockState.ACTIVE) return null;
            rejectIf(checkActivate(a.node()));
            activate(a.node());
            return null;
        }

        @Override
        public Void visit(Action.Cont a) {
            BlockNode n = running(a.node());
            if (n.run() == RunState.INMIGRATE || n.run() == RunState.RUNNING) return null;
            if (a.node() == NodeId.SOURCE && migration.isActive() && migration.handedOver) {
                reject(QemuErrors.MIGRATION_IN_PROGRESS);
            }
            if (n.block() == BlockState.INACTIVE) {
                rejectIf(checkActivate(a.node()));
                activate(a.node());
            }
            node(a.node()).setRun(RunState.RUNNING);
            return null;
        }

        @Override
        public Void visit(Action.Stop a) {
            BlockNode n = running(a.node());
            if (n.run() == RunState.RUNNING) n.setRun(RunState.PAUSED);
            return null;
        }

        @Override
        public Void visit(Action.MigrateStart a) {
            migrateStart(a.capability());
            return null;
        }

        @Override
        public Void visit(Action.MigrateComplete a) {
            if (!migration.isActive()) reject(QemuErrors.NO_MIGRATION);
            if (!migration.handedOver && !handover()) return null;
            for (String name : migration.riding) {
                DirtyBitmap b = source.bitmap(name);
                if (b != null) b.setBusy(false);
            }
            source.setRun(RunState.POSTMIGRATE);
            completeOnTarget();
            return null;
        }

        @Override
        public Void visit(Action.MigrateCancel a) {
            if (migration.isActive()) endMigration(Phase.CANCELLED, "");
            return null;
        }

        @Override
        public Void visit(Action.MigrateFail a) {
            if (!migration.isActive()) reject(QemuErrors.NO_MIGRATION);
            boolean after = a.when() == Action.FailPoint.AFTER_HANDOVER;
            if (!after && migration.handedOver) reject(QemuErrors.ALREADY_HANDED_OVER);
            if (after && !migration.handedOver && !handover()) return null;
            endMigration(Phase.FAILED, after ? "bitmig: stream error after handover" : "bitmig: stream error before handover");
            return null;
        }

        @Override
        public Void visit(Action.BitmapAdd a) {
            BlockNode n = running(a.node());
            long bytes = (long) a.granularity() * Disk.CLUSTER;
            rejectIf(n.checkAdd(a.name(), bytes));
            n.bitmaps().put(a.name(), new DirtyBitmap(bytes, disk.newBits(bytes), a.persistent(), !a.disabled()));
            return null;
        }

        @Override
        public Void visit(Action.BitmapRemove a) {
            BlockNode n = running(a.node());
            DirtyBitmap b = n.bitmap(a.name());
            if (b == null) reject(QemuErrors.notFound(a.name()));
            if (b.busy()) reject(QemuErrors.busy(a.name()));
            if (b.readonly()) reject(QemuErrors.readonly(a.name()));
            boolean mayWrite = n.isWriter() || (faults.contains(Fault.STORE_WRITES_WHILE_INACTIVE) && !n.readOnly());
            if (b.persistence() && mayWrite && image.loadDirectory().containsKey(a.name())) {
                image.removeEntry(a.node(), a.name());
            }
            n.bitmaps().remove(a.name());
            return null;
        }

        @Override
        public Void visit(Action.BitmapClear a) {
            BlockNode n = running(a.node());
            rejectIf(n.check(a.name(), true, true));
            n.bitmap(a.name()).clear();
            return null;
        }

        @Override
        public Void visit(Action.BitmapEnable a) {
            return toggle(a.node(), a.name(), true);
        }

        @Override
        public Void visit(Action.BitmapDisable a) {
            return toggle(a.node(), a.name(), false);
        }

        private Void toggle(NodeId id, String name, boolean enable) {
            BlockNode n = running(id);
            rejectIf(n.check(name, false, true));
            n.bitmap(name).setEnabled(enable);
            return null;
        }

        @Override
        public Void visit(Action.BitmapMerge a) {
            BlockNode n = running(a.node());
            rejectIf(n.check(a.target(), true, true));
            for (String s : a.sources()) {
                rejectIf(n.check(s, false, true));
            }
            DirtyBitmap t = n.bitmap(a.target());
            for (String s : a.sources()) {
                HBitmap from = n.bitmap(s).bits();
                if (faults.contains(Fault.MERGE_IGNORES_GRANULARITY) && from.granularity() != t.bits().granularity()) {
                    long gran = t.granularityBytes();
                    for (long g : from.dirtyGranules()) {
                        if (g * gran < t.bits().size()) {
                            t.bits().set(g * gran, Math.min(gran, t.bits().size() - g * gran));
                        }
                    }
                } else {
                    t.bits().mergeFrom(from);
                }
            }
            return null;
        }

        @Override
        public Void visit(Action.Backup a) {
            BlockNode n = running(a.node());
            if (!n.isActive()) reject(QemuErrors.NODE_INACTIVE);
            rejectIf(n.check(a.bitmap(), true, true));
            n.bitmap(a.bitmap()).clear();
            return null;
        }

        @Override
        public Void visit(Action.MirrorStart a) {
            BlockNode n = running(a.node());
            if (a.granularity() < 1 || a.granularity() > Mirror.MAX_GRANULARITY) reject(QemuErrors.MIRROR_GRANULARITY_RANGE);
            if (Integer.bitCount(a.granularity()) != 1) reject(QemuErrors.MIRROR_GRANULARITY_POWER);
            if (n.mirror() != null) reject(QemuErrors.NODE_BUSY_WITH_JOB);
            if (!n.isActive()) reject(QemuErrors.NODE_INACTIVE);
            long gran = a.granularity() * Disk.CLUSTER;
            n.setMirror(MirrorJob.full(gran, disk.newBits(gran)));
            return null;
        }

        @Override
        public Void visit(Action.MirrorCopy a) {
            BlockNode n = running(a.node());
            if (n.mirror() == null) reject(QemuErrors.jobNotFound(Mirror.JOB_ID));
            n.mirror().copyNext();
            return null;
        }

        @Override
        public Void visit(Action.MirrorCancel a) {
            BlockNode n = running(a.node());
            if (n.mirror() == null) reject(QemuErrors.jobNotFound(Mirror.JOB_ID));
            n.setMirror(null);
            return null;
        }

        @Override
        public Void visit(Action.Quit a) {
            running(a.node());
            abandonMigration(a.node());
            BlockNode n = node(a.node());
            if (n.isActive()) {
                // On a failed store QEMU prints "Lost persistent bitmaps ..." and the bitmaps are gone.
                if (Qcow2Bitmaps.storeConflict(ImplSystem.this, a.node(), Set.of()).isEmpty()) {
                    Qcow2Bitmaps.store(ImplSystem.this, a.node(), true);
                }
            }
            gone(a.node());
            return null;
        }

        @Override
        public Void visit(Action.Crash a) {
            running(a.node());
            abandonMigration(a.node());
            gone(a.node());
            return null;
        }

        @Override
        public Void visit(Action.Launch a) {
            if (node(a.node()).isOn()) reject(QemuErrors.alreadyRunning(a.node()));
            if (a.incoming()) {
                setNode(a.node(), new BlockNode(RunState.INMIGRATE, BlockState.INACTIVE, a.readOnly()));
                return null;
            }
            BlockNode opening = new BlockNode(RunState.RUNNING, BlockState.INACTIVE, a.readOnly());
            rejectIf(lockConflict(opening, node(a.node().other())));
            // RAM is empty: a load cannot clash. The open is active from the start.
            setNode(a.node(), opening);
            opening.setBlock(BlockState.ACTIVE);
            Qcow2Bitmaps.load(ImplSystem.this, a.node());
            if (!a.readOnly()) image.setOwner(Optional.of(a.node()));
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Image locking: a read-only open fails against a writer, a read-write one against any active holder. */
    private static Optional<String> lockConflict(BlockNode n, BlockNode other) {
        if (n.readOnly()) {
            return other.isWriter() ? Optional.of(QemuErrors.SHARED_WRITE_LOCK) : Optional.empty();
        }
        return other.isActive() ? Optional.of(QemuErrors.WRITE_LOCK) : Optional.empty();
    }

    /** Whether {@link #activate} would fail, and why (QEMU's text). */
    private Optional<String> checkActivate(NodeId id) {
        Optional<String> lock = lockConflict(node(id), node(id.other()));
        if (lock.isPresent()) return lock;
        return policy.checkActivate(this, id).map(QemuErrors::couldNotReopen);
    }

    /** bdrv_activate after {@link #checkActivate}: the node is active before the driver reopens (as QEMU clears INACTIVE first). */
    private void activate(NodeId id) {
        BlockNode n = node(id);
        n.setBlock(BlockState.ACTIVE);
        policy.onActivate(this, id);
        if (!n.readOnly()) image.setOwner(Optional.of(id));
    }

    /** bdrv_inactivate_all after the policy's check: the policy stores while still active, then the node gives up the image. */
    private void inactivate(NodeId id) {
        policy.onInactivate(this, id);
        node(id).setBlock(BlockState.INACTIVE);
        if (image.owner().equals(Optional.of(id))) image.setOwner(Optional.empty());
    }

    /**
     * Handover: the bits and COMPLETE records go out and the target decodes them, the VM stops, the source inactivates.
     * Returns false when the encoder fails (the migration has then failed); rejects before changing anything.
     */
    private boolean handover() {
        boolean wasRunning = source.run() == RunState.RUNNING;
        if (source.isActive()) {
            policy.checkInactivate(this, NodeId.SOURCE).ifPresent(e -> reject(QemuErrors.lostOnInactivation(e)));
        }
        if (migration.capability && !migration.riding.isEmpty()) {
            if (migration.decoder == null) {
                primeStream();
            }
            byte[] bits;
            try {
                bits = migration.encoder.completionSection();
            } catch (StreamEncodingException e) {
                endMigration(Phase.FAILED, "bitmig: " + e.getMessage());
                return false;
            }
            wireBytes += bits.length;
            try {
                migration.decoder.decode(bits);
            } catch (StreamFormatException e) {
                throw new IllegalStateException("the target rejected the source's stream", e);
            }
            receiveBits();
        }
        // dirty_bitmap_save_complete: the source's bitmaps stop being busy once their data has gone out.
        for (String name : migration.riding) {
            DirtyBitmap b = source.bitmap(name);
            if (b != null) {
                b.setBusy(false);
            }
        }
        source.setRun(RunState.PAUSED);
        if (source.isActive()) {
            inactivate(NodeId.SOURCE);
        }
        migration.handedOver = true;
        migration.sourceWasRunning = wasRunning;
        return true;
    }

    /** dirty_bitmap_load_bits/complete: each riding bitmap takes the received bits, reclaims its successor, is no longer busy. */
    private void receiveBits() {
        Map<BitmapId, DecodedBitmap> received = migration.decoder.bitmaps();
        for (String name : migration.riding) {
            DirtyBitmap t = target.bitmap(name);
            if (t == null) {
                continue;
            }
            HBitmap bits = disk.newBits(t.granularityBytes());
            DecodedBitmap d = received.get(new BitmapId(NODE_NAME, name));
            if (d != null && d.complete()) {
                bits.mergeFrom(d.bits());
            }
            boolean hadSuccessor = t.hasSuccessor();
            if (hadSuccessor) {
                if (faults.contains(Fault.SUCCESSOR_NOT_MERGED_AT_COMPLETE)) {
                    bits = t.successor().copy();
                } else {
                    bits.mergeFrom(t.successor());
                }
            }
            t.replaceBits(bits);
            t.setEnabled(t.successorEnabled());
            t.dropSuccessor();
            if (hadSuccessor || !faults.contains(Fault.H6_DISABLED_MIGRATING_BITMAP_NOT_FINISHED)) {
                t.setBusy(false);
            }
        }
    }

    /** The source's bitmaps in the stream: the riding ones it still has, with the flags their START records carry. */
    private List<MigratingBitmap> migrating(Iterable<String> names, boolean persistenceFlag) {
        List<MigratingBitmap> out = new ArrayList<>();
        for (String name : names) {
            DirtyBitmap b = source.bitmap(name);
            if (b != null) {
                out.add(new MigratingBitmap(NODE_NAME, name, b.granularityBytes(), b.enabled(),
                        persistenceFlag && b.persistence(), b.bits(), disk.bytes()));
            }
        }
        return out;
    }

    /** Stream state for a migration that did not start in this object (built from a model world): replay the setup. */
    private void primeStream() {
        List<MigratingBitmap> list = new ArrayList<>();
        for (String name : migration.riding) {
            DirtyBitmap b = source.bitmap(name);
            if (b != null && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255) {
                list.add(new MigratingBitmap(NODE_NAME, name, b.granularityBytes(), migration.enabledAtStart.contains(name),
                        false, b.bits(), disk.bytes()));
            }
        }
        migration.encoder = new StreamEncoder(list, streamFaults);
        migration.decoder = new StreamDecoder(Map.of(NODE_NAME, disk.bytes()));
        try {
            migration.decoder.decode(migration.encoder.setupSection());
        } catch (StreamFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    private void migrateStart(boolean capability) {
        if (!source.isOn()) reject(QemuErrors.notRunning(NodeId.SOURCE));
        if (migration.isActive()) reject(QemuErrors.MIGRATION_IN_PROGRESS);
        if (source.run() == RunState.INMIGRATE) reject(QemuErrors.GUEST_INCOMING);
        if (source.run() == RunState.POSTMIGRATE) reject(QemuErrors.PAUSED_BY_MIGRATION);
        if (!source.isActive()) reject(QemuErrors.NODE_INACTIVE);
        if (target.run() != RunState.INMIGRATE) reject(QemuErrors.CONNECTION_REFUSED);

        if (!capability) {
            migration.start(false);
            policy.onMigrationStart(this, new java.util.TreeSet<>());
            return;
        }
        java.util.TreeSet<String> selected = new java.util.TreeSet<>(source.bitmaps().keySet());
        selected.removeIf(policy::reservesName);
        boolean unusable = false;
        for (String name : selected) {
            DirtyBitmap b = source.bitmap(name);
            unusable |= b.busy() || b.readonly() || b.inconsistent();
        }
        List<MigratingBitmap> starts = null;
        if (!unusable) {
            try {
                starts = migrating(selected, true);
            } catch (IllegalArgumentException e) {
                unusable = true; // a name the stream cannot carry (more than 255 bytes)
            }
        }
        if (unusable) {
            migration.start(true);
            migration.fail(QemuErrors.SETUP_FAILED);
            policy.onMigrationStart(this, new java.util.TreeSet<>());
            return;
        }
        migration.start(true);
        migration.riding.addAll(selected);
        for (String name : selected) {
            if (source.bitmap(name).enabled()) migration.enabledAtStart.add(name);
        }
        policy.onMigrationStart(this, migration.riding);

        migration.encoder = new StreamEncoder(starts, streamFaults);
        byte[] setup = migration.encoder.setupSection();
        wireBytes += setup.length;
        migration.decoder = new StreamDecoder(Map.of(NODE_NAME, disk.bytes()));
        List<StreamEvent> events;
        try {
            events = migration.decoder.decode(setup);
        } catch (StreamFormatException e) {
            throw new IllegalStateException("the target rejected the source's setup section", e);
        }
        // dirty_bitmap_load_start: a name clash fails the incoming migration.
        for (String name : selected) {
            if (target.bitmaps().containsKey(name)) {
                endMigration(Phase.FAILED, QemuErrors.destinationClash(name));
                return;
            }
        }
        for (StreamEvent ev : events) {
            if (ev instanceof StreamEvent.Start s) {
                DirtyBitmap b = new DirtyBitmap(s.granularityBytes(), disk.newBits(s.granularityBytes()),
                        s.persistent(), false);
                b.setBusy(true);
                if (s.enabled() && !faults.contains(Fault.START_ENABLED_FLAG_IGNORED_BY_TARGET)) {
                    b.createSuccessor(disk.newBits(s.granularityBytes()), false);
                }
                target.bitmaps().put(s.bitmap().name(), b);
            }
        }
    }

    /**
     * The migration ends without success: the incoming QEMU exits, the source's riding bitmaps are no longer busy, and
     * a source that had inactivated activates again (and runs if it ran).
     */
    private void endMigration(Phase phase, String error) {
        boolean handedOver = migration.handedOver;
        boolean wasRunning = migration.sourceWasRunning;
        goneTarget();
        for (String name : migration.riding) {
            DirtyBitmap b = source.bitmap(name);
            if (b != null) b.setBusy(false);
        }
        if (phase == Phase.FAILED) {
            migration.fail(error);
        } else {
            migration.end(phase);
        }
        if (handedOver && source.isOn() && source.block() == BlockState.INACTIVE
                && checkActivate(NodeId.SOURCE).isEmpty()) {
            activate(NodeId.SOURCE);
            source.setRun(wasRunning ? RunState.RUNNING : RunState.PAUSED);
        }
    }

    private void goneTarget() {
        if (target.isOn()) {
            target = BlockNode.off();
            policy.onExit(NodeId.TARGET);
        }
    }

    /** A process goes away while a migration runs: the other side sees the stream end. */
    /**
     * The incoming side of a completed migration: enable what START flagged ENABLED, activate, run; when activation
     * fails the target stays stopped and inactive (process_incoming_migration_bh).
     */
    private void completeOnTarget() {
        for (String name : migration.enabledAtStart) {
            DirtyBitmap b = target.bitmap(name);
            if (b != null) b.setEnabled(true);
        }
        migration.end(Phase.COMPLETED);
        if (checkActivate(NodeId.TARGET).isEmpty()) {
            activate(NodeId.TARGET);
            target.setRun(RunState.RUNNING);
        } else {
            target.setRun(RunState.PAUSED);
        }
    }

    private void abandonMigration(NodeId gone) {
        if (!migration.isActive()) return;
        if (gone == NodeId.TARGET) {
            endMigration(Phase.FAILED, "bitmig: the target went away");
            return;
        }
        if (migration.handedOver) {
            // The whole precopy stream left before the source went away: the incoming side finishes without it.
            completeOnTarget();
            return;
        }
        goneTarget();
        migration.fail("bitmig: the source went away");
    }

    /** The process is gone: its RAM and its lock. */
    private void gone(NodeId id) {
        setNode(id, BlockNode.off());
        policy.onExit(id);
        if (image.owner().equals(Optional.of(id))) image.setOwner(Optional.empty());
    }

    // ------------------------------------------------------------------------------------------------ abstraction

    /** The implementation state as a model world, with the ghost erased as {@link World#observable()} does. */
    public World abstraction() {
        int[] stamps = image.lastWrite();
        Vector<Integer> lastWrite = Vector.ofAll(stamps);
        SortedMap<String, StoredBitmap> dir = TreeMap.empty();
        for (var e : image.loadDirectory().entrySet()) {
            StoredEntry s = e.getValue();
            HBitmap bits = HBitmap.create(disk.bytes(), Long.numberOfTrailingZeros(s.granularityBytes()));
            bits.deserializePart(s.data(), 0, bits.size(), true);
            dir = dir.put(e.getKey(), new StoredBitmap(clusters(s.granularityBytes()), s.inUse(), s.auto(),
                    granuleSet(bits.dirtyGranules()), 0));
        }
        Image img = new Image(image.clock(), lastWrite, image.autoclear(), dir, Option.ofOptional(image.owner()));
        Migration m = new Migration(migration.phase, migration.capability, migration.handedOver,
                migration.sourceWasRunning, TreeSet.ofAll(migration.riding), TreeSet.ofAll(migration.enabledAtStart),
                Option.of(migration.error));
        return new World(img, abstractNode(source), abstractNode(target), m, Ghost.EMPTY, io.vavr.collection.List.empty(),
                policy.state());
    }

    private static int clusters(long granularityBytes) {
        return Math.toIntExact(granularityBytes / Disk.CLUSTER);
    }

    private static SortedSet<Integer> granuleSet(long[] granules) {
        SortedSet<Integer> out = TreeSet.empty();
        for (long g : granules) {
            out = out.add((int) g);
        }
        return out;
    }

    private static Node abstractNode(BlockNode n) {
        SortedMap<String, Bitmap> bitmaps = TreeMap.empty();
        for (var e : n.bitmaps().entrySet()) {
            DirtyBitmap b = e.getValue();
            Option<Successor> succ = b.hasSuccessor()
                    ? Option.some(new Successor(b.successorEnabled(), granuleSet(Disk.granules(b.successor()))))
                    : Option.none();
            bitmaps = bitmaps.put(e.getKey(), new Bitmap(clusters(b.granularityBytes()), b.persistent(), b.enabled(),
                    b.busy(), b.skipStore(), b.inconsistent(), b.readonly(), granuleSet(Disk.granules(b.bits())), succ, 0));
        }
        Option<Mirror> mirror = n.mirror() == null ? Option.none() : Option.some(new Mirror(
                clusters(n.mirror().granularityBytes()), granuleSet(Disk.granules(n.mirror().bits())), 0));
        return new Node(n.run(), n.block(), n.readOnly(), bitmaps, mirror);
    }

    // ------------------------------------------------------------------------------------------------ concretize

    /** The implementation state that a model world describes (its ghost is ignored). */
    public static ImplSystem concretize(Policy policy, Geometry geometry, World w, Set<Fault> faults) {
        return concretize(policy, geometry, w, faults, Store.MEMORY);
    }

    /** As {@link #concretize(Policy, Geometry, World, Set)}, with the image kept as {@code store} says. */
    public static ImplSystem concretize(Policy policy, Geometry geometry, World w, Set<Fault> faults, Store store) {
        ImplSystem s = new ImplSystem(policy, geometry, faults, store);
        for (NodeId id : NodeId.values()) {
            s.setNode(id, s.concreteNode(w.node(id)));
        }
        Image img = w.image();
        java.util.SortedMap<String, StoredEntry> dir = new java.util.TreeMap<>();
        for (var e : img.directory()) {
            long gran = (long) e._2.granularity() * Disk.CLUSTER;
            HBitmap bits = HBitmap.create(s.disk.bytes(), Long.numberOfTrailingZeros(gran));
            fill(bits, gran, e._2.granules());
            dir.put(e._1, new StoredEntry(gran, e._2.inUse(), e._2.auto(), Disk.serialize(bits)));
        }
        int[] stamps = new int[geometry.clusters()];
        for (int c = 0; c < stamps.length; c++) {
            stamps[c] = img.lastWrite().get(c);
        }
        s.image.restore(img.clock(), stamps, img.autoclear(), dir, img.owner().toJavaOptional());
        Migration m = w.migration();
        MigrationState ms = s.migration;
        ms.phase = m.phase();
        ms.capability = m.capability();
        ms.handedOver = m.handedOver();
        ms.sourceWasRunning = m.sourceWasRunning();
        ms.riding.addAll(m.riding().toJavaList());
        ms.enabledAtStart.addAll(m.enabledAtStart().toJavaList());
        s.policy.restore(w.policyState());
        ms.error = m.error().getOrNull();
        return s;
    }

    private BlockNode concreteNode(Node n) {
        BlockNode out = new BlockNode(n.run(), n.block(), n.readOnly());
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
