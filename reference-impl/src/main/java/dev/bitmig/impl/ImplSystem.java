package dev.bitmig.impl;

import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.policy.Host;
import dev.bitmig.impl.policy.ImplPolicy;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.impl.store.InMemoryImageStore;
import dev.bitmig.impl.store.Qcow2ImageStore;
import dev.bitmig.impl.store.StoreWrite;
import dev.bitmig.model.Action;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Policy;
import dev.bitmig.model.RunState;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The optimized implementation's state: two QEMU processes with mutable block nodes and HBitmap-backed dirty bitmaps,
 * an image store that logs every write, the migration with its dirty-bitmap byte stream, and the policy's hooks.
 * {@link #apply} runs one model action ({@link Transitions}); every action is validated before anything changes, so a
 * rejected action leaves the state as it was. The mapping to and from the model's worlds is the checker's.
 */
public final class ImplSystem implements Host {
    /** The block node name both processes use in the migration stream. */
    public static final String NODE_NAME = "drive0";

    /** Where the implementation keeps the image: a logged in-memory directory, or a real qcow2 file in memory. */
    public enum Store { MEMORY, QCOW2 }

    private final Policy modelPolicy;
    private final ImplPolicy policy;
    private final Geometry geometry;
    private final Disk disk;
    private final Set<Fault> faults;
    private final Set<dev.bitmig.impl.stream.StreamFault> streamFaults;
    private BlockNode source;
    private BlockNode target;
    private final ImageStore image;
    private final MigrationState migration = new MigrationState();
    private final Transitions transitions;
    private long wireBytes;

    /** A source QEMU running on a fresh image; the target is off (as the model's initial world). */
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
                ? new Qcow2ImageStore(geometry.clusters(), Disk.CLUSTER, id -> node(id).isActive())
                : new InMemoryImageStore(geometry.clusters(), id -> node(id).isActive());
        image.setOwner(Optional.of(NodeId.SOURCE));
        this.transitions = new Transitions(this);
    }

    // ------------------------------------------------------------------------------------------------ transition

    /**
     * QEMU's reply to one action: accepted (no error), rejected by a guard (an error, nothing changed), or failed after
     * its effect (an error, and the state changed).
     */
    public record Reply(Optional<String> error, boolean changed) {
        public boolean rejected() {
            return error.isPresent() && !changed;
        }
    }

    private final java.util.List<String> printed = new java.util.ArrayList<>();

    /** What QEMU printed on stderr during the last action (error_report): e.g. "Lost persistent bitmaps ...". */
    public java.util.List<String> printed() {
        return java.util.List.copyOf(printed);
    }

    /** error_report: a line on stderr, which the user sees. */
    void print(String line) {
        printed.add(line);
    }

    /** Runs one action and gives QEMU's reply. */
    public Reply apply(Action action) {
        printed.clear();
        try {
            action.accept(transitions);
            return new Reply(Optional.empty(), true);
        } catch (Rejection r) {
            return new Reply(Optional.of(r.getMessage()), false);
        } catch (Failure f) {
            return new Reply(Optional.of(f.getMessage()), true);
        }
    }

    // ------------------------------------------------------------------------------------------------ state

    @Override
    public BlockNode node(NodeId id) {
        return id == NodeId.SOURCE ? source : target;
    }

    /** The QEMU process on that side now has this block node ({@link BlockNode#off()} once it is gone). */
    public void setNode(NodeId id, BlockNode n) {
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

    /** The hooks where the policy differs from QEMU upstream, with whatever state the policy keeps. */
    public ImplPolicy policyHooks() {
        return policy;
    }

    public Geometry geometry() {
        return geometry;
    }

    Set<dev.bitmig.impl.stream.StreamFault> streamFaults() {
        return streamFaults;
    }

    /** Bytes of dirty-bitmap migration stream sent so far (setup and completion sections). */
    public long wireBytes() {
        return wireBytes;
    }

    void sent(int bytes) {
        wireBytes += bytes;
    }

    /** Every image write so far. */
    public List<StoreWrite> storeLog() {
        return image.log();
    }
}
