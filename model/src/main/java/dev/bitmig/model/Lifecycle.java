package dev.bitmig.model;

import io.vavr.collection.SortedSet;
import io.vavr.control.Either;
import io.vavr.control.Option;

/** Steps that several actions share: activation, handover, the end of a migration, a process going away. */
final class Lifecycle {
    private final Policy policy;
    private final Geometry geometry;

    Lifecycle(Policy policy, Geometry geometry) {
        this.policy = policy;
        this.geometry = geometry;
    }

    /** Image locking (block/file-posix.c raw_check_lock_bytes): who else holds the image decides. */
    static Option<String> lockConflict(World w, NodeId node) {
        Node n = w.node(node);
        Node other = w.node(node.other());
        if (n.readOnly()) {
            return other.holdsLocks() && !other.readOnly() ? Option.some(QemuErrors.SHARED_WRITE_LOCK) : Option.none();
        }
        return other.holdsLocks() ? Option.some(QemuErrors.WRITE_LOCK) : Option.none();
    }

    /**
     * bdrv_activate of an inactive node: take the lock, clear BDRV_O_INACTIVE, then the policy's activation (which
     * reloads through qcow2_co_invalidate_cache). A driver error ejects the node (D4, seen on QEMU 7.2 and 10.0.2).
     */
    Activation activate(World w, NodeId node) {
        Option<String> conflict = lockConflict(w, node);
        if (conflict.isDefined()) {
            return new Activation.Refused(conflict.get());
        }
        Node n = w.node(node);
        World active = w.withNode(node, n.withBlock(BlockState.ACTIVE));
        World owned = n.readOnly() ? active : active.withImage(active.image().withOwner(Option.some(node)));
        Either<String, World> reopened = policy.onActivate(owned, node, geometry);
        // The permissions, and so the lock, stay taken after the driver's reopen failed (block.c bdrv_activate).
        World locked = n.readOnly() ? w : w.withImage(w.image().withOwner(Option.some(node)));
        return reopened.isRight() ? new Activation.Active(reopened.get())
                : new Activation.Ejected(ejected(locked, node), QemuErrors.couldNotReopen(reopened.getLeft()));
    }

    /**
     * block/qcow2.c qcow2_co_invalidate_cache: after a failed qcow2_do_open bs->drv is NULL. The image is as it was,
     * and the lock that bdrv_activate took stays (Node.holdsLocks) until the process ends; the bitmaps stay in RAM but
     * cannot be read or stored, so each persistent one is lost to the user, who saw the error.
     */
    static World ejected(World w, NodeId node) {
        Node n = w.node(node);
        World next = w.withNode(node, n.withBlock(BlockState.EJECTED));
        // Declared for every bitmap; the step's bookkeeping keeps those of persistent families that are really gone.
        for (var e : n.bitmaps()) {
            next = next.lose(new Loss(e._2.lineage(), e._1, Cause.MEDIUM_LOST, false));
        }
        return next;
    }

    /**
     * cont: activation when the node is inactive, then the policy's decision at cont. On an ejected node there is
     * nothing to activate: the VM runs without its disk (seen on QEMU 7.2 and 10.0.2).
     */
    Activation cont(World w, NodeId node) {
        Activation active = activateIfInactive(w, node);
        if (!(active instanceof Activation.Active a)) {
            return active;
        }
        Either<String, World> decided = policy.onCont(a.world(), node, geometry);
        return decided.isRight() ? new Activation.Active(decided.get()) : new Activation.Refused(decided.getLeft());
    }

    /** bdrv_activate_all: only an inactive node does anything. */
    Activation activateIfInactive(World w, NodeId node) {
        return w.node(node).block() == BlockState.INACTIVE ? activate(w, node) : new Activation.Active(w);
    }

    /**
     * cont on an incoming VM (monitor/qmp-cmds.c qmp_cont): autostart is set; QEMU 7.2 has activated the node first,
     * taking the image lock and loading its bitmaps before any migration arrives.
     */
    Activation contIncoming(World w, NodeId node) {
        boolean activates = policy.release().contActivatesIncoming();
        Activation active = activates ? activateIfInactive(w, node) : new Activation.Active(w);
        if (!(active instanceof Activation.Active a)) {
            return active;
        }
        return new Activation.Active(a.world().withNode(node, a.world().node(node).withAutostart(true)));
    }

    /**
     * bdrv_close_all at quit (block/qcow2.c qcow2_inactivate): an active node stores its persistent bitmaps; on a
     * failed store QEMU prints "Lost persistent bitmaps during inactivation ..." and they are gone.
     */
    World close(World w, NodeId node) {
        Node n = w.node(node);
        if (!n.isActive()) return w;
        return Persistence.store(w, node, true).getOrElse(() -> {
            World next = w;
            for (var e : n.bitmaps().filter((name, b) -> b.persistent())) {
                next = next.lose(new Loss(e._2.lineage(), e._1, Cause.STORE_FAILED, false));
            }
            return next;
        });
    }

    /** bdrv_inactivate_all: the policy's inactivation, then the node gives up the image and its lock. */
    Either<String, World> inactivate(World w, NodeId node) {
        // qcow2_inactivate: after the store, the caches' flush fails on a full volume while they hold a refused update.
        if (w.image().full() && w.node(node).unflushed()) return Either.left(QemuErrors.FLUSH_NO_SPACE);
        return policy.onInactivate(w, node, geometry).mapLeft(QemuErrors::lostOnInactivation).map(next -> {
            Node n = next.node(node);
            World inactive = next.withNode(node, n.withBlock(BlockState.INACTIVE));
            return inactive.withoutLockOf(node);
        });
    }

    /**
     * Handover (migration/migration.c migration_completion): the VM stops, the bitmap data and COMPLETE records go
     * out (migration/block-dirty-bitmap.c dirty_bitmap_save_complete), then the source inactivates.
     */
    Either<String, World> handover(World w) {
        Node source = w.node(NodeId.SOURCE);
        // migration_completion: vm_stop_force_state flushes first (bdrv_flush_all), before any bitmap goes out.
        if (w.image().full() && source.unflushed()) return Either.left(QemuErrors.FLUSH_NO_SPACE);
        boolean wasRunning = source.run() == RunState.RUNNING;
        // dirty_bitmap_save_complete: the source's bitmaps stop being busy once their data has gone out.
        World sent = Persistence.updateAll(receiveBits(w), NodeId.SOURCE, w.migration().riding(), b -> b.withBusy(false));
        World stopped = sent.withNode(NodeId.SOURCE, sent.node(NodeId.SOURCE).withRun(RunState.PAUSED));
        Either<String, World> inactive = source.isActive() ? inactivate(stopped, NodeId.SOURCE) : Either.right(stopped);
        return inactive.map(next -> next.withMigration(next.migration().handover(wasRunning)));
    }

    /**
     * R9 (dirty_bitmap_load_bits, dirty_bitmap_load_complete): the target deserializes each riding bitmap and reclaims
     * its successor; busy clears. The bitmap stays disabled until before_vm_start.
     */
    private World receiveBits(World w) {
        Node source = w.node(NodeId.SOURCE);
        World next = w;
        for (String name : w.migration().riding()) {
            if (!next.node(NodeId.TARGET).bitmaps().containsKey(name)) {
                continue;
            }
            SortedSet<Integer> sent = source.bitmap(name).map(Bitmap::reported).getOrElse(Granules.NONE);
            next = Persistence.update(next, NodeId.TARGET, name, b -> b.withGranules(sent).reclaimed());
        }
        return next;
    }

    /**
     * The migration ends without success (migration_iteration_finish): the incoming QEMU exits and drops what it got
     * (dirty_bitmap_mig_cancel_incoming); the source clears busy (dirty_bitmap_do_save_cleanup, skip_store stays)
     * and, only if it had inactivated, activates and restarts if it was running.
     */
    World endMigration(World w, Phase phase, String error) {
        Migration m = w.migration();
        World next = goneTarget(w);
        next = Persistence.updateAll(next, NodeId.SOURCE, m.riding(), b -> b.withBusy(false));
        next = next.withMigration(phase == Phase.FAILED ? m.failed(error) : m.withPhase(phase));
        Node source = next.node(NodeId.SOURCE);
        boolean seven = policy.release().postmigrateAfterFailure();
        if (m.handedOver() && source.isOn() && source.block() == BlockState.INACTIVE) {
            // migration_block_activate: when activation fails 10.0 does not restart the VM; 7.2 restarts it anyway.
            Activation back = activate(next, NodeId.SOURCE);
            World resumed = back.worldOr(next);
            if (back.isActive() || seven) {
                return withSourceRun(resumed, m.sourceWasRunning() ? RunState.RUNNING : stoppedRun(seven));
            }
            return resumed;
        }
        // 7.2 migration_iteration_finish: "runstate_set(RUN_STATE_POSTMIGRATE)" for a VM that was not running. With no
        // dirty RAM its migration enters completion (finish-migrate) at once; only a failed setup ends before that.
        boolean completing = !(phase == Phase.FAILED && QemuErrors.SETUP_FAILED.equals(error));
        if (seven && completing && source.isOn() && source.run() == RunState.PAUSED) {
            return withSourceRun(next, RunState.POSTMIGRATE);
        }
        return next;
    }

    /** Where a failed or cancelled migration leaves a VM that was not running (migration_iteration_finish). */
    private static RunState stoppedRun(boolean seven) {
        return seven ? RunState.POSTMIGRATE : RunState.PAUSED;
    }

    private static World withSourceRun(World w, RunState run) {
        return w.withNode(NodeId.SOURCE, w.node(NodeId.SOURCE).withRun(run));
    }

    /**
     * The incoming QEMU exits (migration/migration.c process_incoming_migration_co: "load of migration failed", then
     * exit(EXIT_FAILURE), with no bdrv_close_all): its unfinished bitmaps go with it; what 7.2's cont had loaded is
     * lost as in a crash, IN_USE entries staying behind, and so is its lock.
     */
    private static World goneTarget(World w) {
        Node target = w.node(NodeId.TARGET);
        if (!target.isOn()) return w;
        World off = w.withNode(NodeId.TARGET, Node.OFF);
        for (var e : target.bitmaps().filter((name, b) -> !target.unfinished(name, b))) {
            off = off.lose(new Loss(e._2.lineage(), e._1, Cause.CRASH, false));
        }
        return off.withoutLockOf(NodeId.TARGET);
    }

    /**
     * The incoming side of a completed migration (migration/migration.c process_incoming_migration_bh): before_vm_start
     * enables the bitmaps whose START carried ENABLED (dirty_bitmap_mig_before_vm_start). The VM runs only if the
     * source ran (global_state) and autostart is set. QEMU 7.2 activates the node in any case (R3, R14); QEMU 10.0
     * only when the VM runs, and otherwise leaves it inactive until its own cont. When activation fails the VM stays
     * stopped.
     */
    World completeOnTarget(World w) {
        Migration m = w.migration();
        boolean runs = m.sourceWasRunning() && w.node(NodeId.TARGET).autostart();
        World done = Persistence.updateAll(w, NodeId.TARGET, m.enabledAtStart(), b -> b.withEnabled(true))
                .withMigration(m.withPhase(Phase.COMPLETED));
        if (!runs && policy.release().activatesOnlyToRun()) {
            return done.withNode(NodeId.TARGET, done.node(NodeId.TARGET).withRun(RunState.PAUSED));
        }
        // On 7.2 a cont on the incoming VM may have activated it already: nothing is reopened again.
        Activation active = activateIfInactive(done, NodeId.TARGET);
        World target = active.worldOr(done);
        RunState run = active.isActive() && runs ? RunState.RUNNING : RunState.PAUSED;
        return target.withNode(NodeId.TARGET, target.node(NodeId.TARGET).withRun(run));
    }

    /**
     * A process goes away (quit or kill -9) while a migration runs: the other side sees the stream end. A gone target
     * fails the migration for the source; a source gone before handover makes the incoming QEMU exit, one gone after
     * handover leaves it to finish the migration.
     */
    World abandonMigration(World w, NodeId gone) {
        if (!w.migration().isActive()) {
            return w;
        }
        if (gone == NodeId.TARGET) {
            return endMigration(w, Phase.FAILED, "bitmig: the target went away");
        }
        if (w.migration().handedOver()) {
            // migration/migration.c migration_completion: after handover the source has sent the whole precopy
            // stream before it waits on the return path; the incoming side finishes without it (seen on QEMU 7.2).
            return completeOnTarget(w);
        }
        World next = goneTarget(w);
        return next.withMigration(next.migration().failed("bitmig: the source went away"));
    }
}
