package dev.bitmig.impl;

import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.policy.Qcow2Bitmaps;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;

import java.util.Optional;
import java.util.Set;

/**
 * The QEMU processes and their block nodes: launch, quit and crash, activation and inactivation, image locking.
 * Checks change nothing; effects run only after their check passed.
 */
final class Lifecycle {
    private final ImplSystem sys;

    Lifecycle(ImplSystem sys) {
        this.sys = sys;
    }

    /** Image locking (block/file-posix.c): a read-only open fails against a writer, a read-write one against any active holder. */
    static Optional<String> lockConflict(boolean readOnly, BlockNode other) {
        if (readOnly) {
            return other.holdsLocks() && !other.readOnly() ? Optional.of(QemuErrors.SHARED_WRITE_LOCK) : Optional.empty();
        }
        return other.holdsLocks() ? Optional.of(QemuErrors.WRITE_LOCK) : Optional.empty();
    }

    /** Whether {@link #activate} would be refused before the driver reopens, and why (image locking, QEMU's text). */
    Optional<String> activationRefused(NodeId id) {
        return lockConflict(sys.node(id).readOnly(), sys.node(id.other()));
    }

    /** Whether the driver's reopen would fail, and why (QEMU's text): then the node is {@link #eject}ed instead. */
    Optional<String> reopenFails(NodeId id) {
        return sys.policyHooks().checkActivate(sys, id).map(QemuErrors::couldNotReopen);
    }

    /**
     * D4 (block/qcow2.c qcow2_co_invalidate_cache): bs->drv = NULL; the bitmaps stay in RAM, and the lock that
     * bdrv_activate took before the reopen stays with the process (block.c keeps the extended permissions).
     */
    void eject(NodeId id) {
        sys.node(id).setBlock(BlockState.EJECTED);
        if (!sys.node(id).readOnly()) sys.image().setOwner(Optional.of(id));
    }

    /**
     * An activation that a migration's end runs on its own (no reply to anybody): refused, the node stays inactive;
     * a failed reopen ejects it. True when the node is active afterwards.
     */
    boolean tryActivate(NodeId id) {
        if (activationRefused(id).isPresent()) return false;
        if (reopenFails(id).isPresent()) {
            eject(id);
            return false;
        }
        activate(id);
        return true;
    }

    /** bdrv_activate (block.c) after {@link #checkActivate}: the node is active before the driver reopens (as QEMU clears INACTIVE first). */
    void activate(NodeId id) {
        BlockNode n = sys.node(id);
        n.setBlock(BlockState.ACTIVE);
        sys.policyHooks().onActivate(sys, id);
        if (!n.readOnly()) sys.image().setOwner(Optional.of(id));
    }

    /**
     * Whether the node's inactivation would fail, and why: qcow2_inactivate's flush of caches that hold an update a
     * full volume refused (QEMU's text), else the policy's store check (the store's own error).
     */
    Optional<String> inactivationFails(NodeId id) {
        if (sys.image().full() && sys.node(id).unflushed()) return Optional.of(QemuErrors.FLUSH_NO_SPACE);
        return sys.policyHooks().checkInactivate(sys, id);
    }

    /** bdrv_inactivate_all (block.c) after the policy's check: the policy stores while still active, then the node gives up the image. */
    void inactivate(NodeId id) {
        sys.policyHooks().onInactivate(sys, id);
        sys.node(id).setBlock(BlockState.INACTIVE);
        sys.image().releaseLockOf(id);
    }

    /**
     * A QEMU process starts (after its lock check): an incoming one waits inactive; any other opens the image active
     * and loads its persistent bitmaps (qcow2_load_dirty_bitmaps, block/qcow2-bitmap.c). RAM is empty: a load cannot clash.
     */
    void launch(NodeId id, boolean incoming, boolean readOnly) {
        if (incoming) {
            sys.setNode(id, new BlockNode(RunState.INMIGRATE, BlockState.INACTIVE, readOnly));
            return;
        }
        BlockNode opening = new BlockNode(RunState.RUNNING, BlockState.INACTIVE, readOnly);
        sys.setNode(id, opening);
        opening.setBlock(BlockState.ACTIVE);
        Qcow2Bitmaps.load(sys, id);
        if (!readOnly) sys.image().setOwner(Optional.of(id));
    }

    /**
     * quit: an active node stores its persistent bitmaps on close (qcow2_inactivate, block/qcow2.c); on a failed store
     * QEMU prints "Lost persistent bitmaps ..." and the bitmaps are gone.
     */
    void quit(NodeId id) {
        if (sys.node(id).isActive()) {
            java.util.Optional<String> conflict = Qcow2Bitmaps.storeConflict(sys, id, Set.of());
            if (conflict.isEmpty()) {
                Qcow2Bitmaps.store(sys, id, true);
            } else if (!sys.has(Fault.STORE_FAILURE_NOT_REPORTED)) {
                // block/qcow2.c qcow2_inactivate: error_reportf_err(..., "Lost persistent bitmaps during inactivation ...").
                sys.print(QemuErrors.lostOnInactivation(conflict.get()));
            }
        }
        gone(id);
    }

    /** The process is gone (quit or killed): its RAM and its lock. */
    void gone(NodeId id) {
        sys.setNode(id, BlockNode.off());
        sys.policyHooks().onExit(id);
        sys.image().releaseLockOf(id);
    }

    /** The incoming QEMU exits when its migration ends without success: its RAM, and its lock if a 7.2 cont had activated it. */
    void incomingGone() {
        if (sys.node(NodeId.TARGET).isOn()) {
            sys.setNode(NodeId.TARGET, BlockNode.off());
            sys.policyHooks().onExit(NodeId.TARGET);
            // On 7.2 a cont may have activated the incoming node: its lock goes too.
            sys.image().releaseLockOf(NodeId.TARGET);
        }
    }
}
