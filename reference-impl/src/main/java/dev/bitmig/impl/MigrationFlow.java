package dev.bitmig.impl;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.impl.stream.BitmapId;
import dev.bitmig.impl.stream.DecodedBitmap;
import dev.bitmig.impl.stream.MigratingBitmap;
import dev.bitmig.impl.stream.StreamDecoder;
import dev.bitmig.impl.stream.StreamEncoder;
import dev.bitmig.impl.stream.StreamEncodingException;
import dev.bitmig.impl.stream.StreamEvent;
import dev.bitmig.impl.stream.StreamFormatException;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Phase;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.RunState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A migration from start to its end, with the dirty-bitmap stream between the two processes: the source's encoder
 * writes the setup and completion sections, the target's decoder reads them. Effects only: the guards are the
 * callers' ({@link Transitions}), except {@link #handoverRefused}, the check a handover needs.
 */
final class MigrationFlow {
    private final ImplSystem sys;
    private final MigrationState migration;
    private final Lifecycle life;

    MigrationFlow(ImplSystem sys, Lifecycle life) {
        this.sys = sys;
        this.migration = sys.migration();
        this.life = life;
    }

    private BlockNode source() {
        return sys.node(NodeId.SOURCE);
    }

    private BlockNode target() {
        return sys.node(NodeId.TARGET);
    }

    /**
     * migrate (migration/migration.c) with or without the dirty-bitmaps capability: the source selects its bitmaps,
     * sends the setup section, and the target creates each announced bitmap busy, with a successor when it was enabled
     * (init_dirty_bitmap_migration and dirty_bitmap_load_start, migration/block-dirty-bitmap.c).
     */
    void start(boolean capability) {
        // Without the capability, or once this QEMU's no_bitmaps is set (dirty_bitmap_is_active, a QEMU bug), no
        // bitmap is selected.
        if (!capability || source().noBitmaps()) {
            migration.start(capability);
            sys.policyHooks().onMigrationStart(sys, new TreeSet<>());
            return;
        }
        TreeSet<String> selected = new TreeSet<>(source().bitmaps().keySet());
        selected.removeIf(sys.policyHooks()::reservesName);
        if (selected.isEmpty()) {
            // init_dirty_bitmap_migration: an empty list sets no_bitmaps, and nothing clears it.
            source().setNoBitmaps();
            migration.start(true);
            sys.policyHooks().onMigrationStart(sys, new TreeSet<>());
            return;
        }
        boolean unusable = false;
        for (String name : selected) {
            DirtyBitmap b = source().bitmap(name);
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
            // The failed setup closes the stream: the incoming QEMU's load fails and it exits.
            migration.start(true);
            sys.policyHooks().onMigrationStart(sys, new TreeSet<>());
            end(Phase.FAILED, QemuErrors.SETUP_FAILED);
            return;
        }
        migration.start(true);
        migration.riding.addAll(selected);
        for (String name : selected) {
            if (source().bitmap(name).enabled()) migration.enabledAtStart.add(name);
        }
        sys.policyHooks().onMigrationStart(sys, migration.riding);

        migration.encoder = new StreamEncoder(starts, sys.streamFaults());
        byte[] setup = migration.encoder.setupSection();
        sys.sent(setup.length);
        migration.decoder = new StreamDecoder(Map.of(ImplSystem.NODE_NAME, sys.disk().bytes()));
        List<StreamEvent> events;
        try {
            events = migration.decoder.decode(setup);
        } catch (StreamFormatException e) {
            throw new IllegalStateException("the target rejected the source's setup section", e);
        }
        // dirty_bitmap_load_start: a name clash fails the incoming migration.
        for (String name : selected) {
            if (target().bitmaps().containsKey(name)) {
                end(Phase.FAILED, QemuErrors.destinationClash(name));
                return;
            }
        }
        for (StreamEvent ev : events) {
            if (ev instanceof StreamEvent.Start s) {
                DirtyBitmap b = new DirtyBitmap(s.granularityBytes(), sys.disk().newBits(s.granularityBytes()),
                        s.persistent(), false);
                b.setBusy(true);
                if (s.enabled() && !sys.has(Fault.START_ENABLED_FLAG_IGNORED_BY_TARGET)) {
                    b.createSuccessor(sys.disk().newBits(s.granularityBytes()), false);
                }
                target().bitmaps().put(s.bitmap().name(), b);
            }
        }
    }

    /** Whether the handover would be refused, and why: an active source must be able to inactivate (QEMU's text). */
    Optional<String> handoverRefused() {
        if (!source().isActive()) return Optional.empty();
        // migration_completion: vm_stop_force_state flushes first, so caches that hold a refused update fail it there.
        if (sys.image().full() && source().unflushed()) return Optional.of(QemuErrors.FLUSH_NO_SPACE);
        return sys.policyHooks().checkInactivate(sys, NodeId.SOURCE).map(QemuErrors::lostOnInactivation);
    }

    /**
     * A handover whose inactivation would fail to store (migration/savevm.c qemu_savevm_state_complete_precopy:
     * "bdrv_inactivate_all() failed") fails the migration there, with the source still active; true when it did.
     */
    boolean failedHandover() {
        Optional<String> refused = handoverRefused();
        // On a full volume the failed store's allocations stay in the source's caches (block/qcow2-refcount.c).
        if (refused.isPresent() && sys.image().full()) source().setUnflushed(true);
        refused.ifPresent(why -> end(Phase.FAILED, why));
        return refused.isPresent();
    }

    /**
     * Handover (migration_completion, migration/migration.c), after {@link #handoverRefused}: the bits and COMPLETE
     * records go out and the target decodes them, the VM stops, the source inactivates. Returns false when the encoder
     * fails (the migration has then failed).
     */
    boolean handover() {
        if (source().block() == BlockState.EJECTED) {
            // D4: an ejected source cannot inactivate; migration_completion fails (seen on QEMU 10.0.2).
            end(Phase.FAILED, QemuErrors.COMPLETION_FAILED);
            return false;
        }
        boolean wasRunning = source().run() == RunState.RUNNING;
        if (migration.capability && !migration.riding.isEmpty()) {
            if (migration.decoder == null) {
                primeStream();
            }
            byte[] bits;
            try {
                bits = migration.encoder.completionSection();
            } catch (StreamEncodingException e) {
                end(Phase.FAILED, "bitmig: " + e.getMessage());
                return false;
            }
            sys.sent(bits.length);
            try {
                migration.decoder.decode(bits);
            } catch (StreamFormatException e) {
                throw new IllegalStateException("the target rejected the source's stream", e);
            }
            receiveBits();
        }
        // dirty_bitmap_save_complete: the source's bitmaps stop being busy once their data has gone out.
        unbusyRiding();
        source().setRun(RunState.PAUSED);
        if (source().isActive()) {
            life.inactivate(NodeId.SOURCE);
        }
        migration.handedOver = true;
        migration.sourceWasRunning = wasRunning;
        return true;
    }

    /** migrate completes (migration/migration.c): hand over if not yet done, the source stays stopped after migrating. */
    void complete() {
        if (!migration.handedOver && !handover()) return;
        unbusyRiding();
        source().setRun(RunState.POSTMIGRATE);
        completeOnTarget();
    }

    /** The stream breaks before or after the handover (the error path of migration/migration.c). */
    void fail(boolean afterHandover) {
        if (afterHandover && !migration.handedOver && !handover()) return;
        end(Phase.FAILED, afterHandover ? "bitmig: stream error after handover" : "bitmig: stream error before handover");
    }

    /** migrate_cancel (migration/migration.c). */
    void cancel() {
        end(Phase.CANCELLED, "");
    }

    /** A process goes away while a migration runs: the other side sees the stream end. */
    void abandon(NodeId gone) {
        if (!migration.isActive()) return;
        if (gone == NodeId.TARGET) {
            end(Phase.FAILED, "bitmig: the target went away");
            return;
        }
        if (migration.handedOver) {
            // The whole precopy stream left before the source went away: the incoming side finishes without it.
            completeOnTarget();
            return;
        }
        life.incomingGone();
        migration.fail("bitmig: the source went away");
    }

    /**
     * The migration ends without success: the incoming QEMU exits, the source's riding bitmaps are no longer busy, and
     * a source that had inactivated activates again (and runs if it ran).
     */
    private void end(Phase phase, String error) {
        boolean handedOver = migration.handedOver;
        boolean wasRunning = migration.sourceWasRunning;
        life.incomingGone();
        unbusyRiding();
        if (phase == Phase.FAILED) {
            migration.fail(error);
        } else {
            migration.end(phase);
        }
        BlockNode source = source();
        boolean seven = sys.policy().release().postmigrateAfterFailure();
        RunState stopped = seven ? RunState.POSTMIGRATE : RunState.PAUSED;
        if (handedOver && source.isOn() && source.block() == BlockState.INACTIVE) {
            // 10.0 restarts only after a reactivation that worked; 7.2's migration_iteration_finish restarts anyway.
            if (life.tryActivate(NodeId.SOURCE) || seven) source.setRun(wasRunning ? RunState.RUNNING : stopped);
            return;
        }
        // 7.2: a VM that was not running is left postmigrate once its migration entered completion (not a setup failure).
        boolean completing = !(phase == Phase.FAILED && QemuErrors.SETUP_FAILED.equals(error));
        if (seven && completing && source.isOn() && source.run() == RunState.PAUSED) source.setRun(RunState.POSTMIGRATE);
    }

    private void unbusyRiding() {
        for (String name : migration.riding) {
            DirtyBitmap b = source().bitmap(name);
            if (b != null) b.setBusy(false);
        }
    }

    /**
     * The incoming side of a completed migration (process_incoming_migration_bh, migration/migration.c): enable what
     * START flagged ENABLED; the VM runs if the source ran and autostart is set. QEMU 7.2 activates in any case, QEMU
     * 10.0 only a VM that runs; when activation fails the target stays stopped and inactive.
     */
    private void completeOnTarget() {
        for (String name : migration.enabledAtStart) {
            DirtyBitmap b = target().bitmap(name);
            if (b != null) b.setEnabled(true);
        }
        boolean runs = migration.sourceWasRunning && target().autostart();
        migration.end(Phase.COMPLETED);
        if (!runs && sys.policy().release().activatesOnlyToRun()) {
            target().setRun(RunState.PAUSED);
            return;
        }
        // On 7.2 a cont on the incoming VM may have activated it already, or ejected it: block.c bdrv_activate of a
        // node without a driver returns -ENOMEDIUM without an error, so the VM runs without its disk.
        boolean active = target().block() != BlockState.INACTIVE || life.tryActivate(NodeId.TARGET);
        target().setRun(active && runs ? RunState.RUNNING : RunState.PAUSED);
    }

    /**
     * dirty_bitmap_load_bits/complete (migration/block-dirty-bitmap.c): each riding bitmap takes the received bits,
     * reclaims its successor, is no longer busy.
     */
    private void receiveBits() {
        Map<BitmapId, DecodedBitmap> received = migration.decoder.bitmaps();
        for (String name : migration.riding) {
            DirtyBitmap t = target().bitmap(name);
            if (t == null) {
                continue;
            }
            HBitmap bits = sys.disk().newBits(t.granularityBytes());
            DecodedBitmap d = received.get(new BitmapId(ImplSystem.NODE_NAME, name));
            if (d != null && d.complete()) {
                bits.mergeFrom(d.bits());
            }
            boolean hadSuccessor = t.hasSuccessor();
            if (hadSuccessor) {
                if (sys.has(Fault.SUCCESSOR_NOT_MERGED_AT_COMPLETE)) {
                    bits = t.successor().copy();
                } else {
                    bits.mergeFrom(t.successor());
                }
            }
            t.replaceBits(bits);
            t.setEnabled(t.successorEnabled());
            t.dropSuccessor();
            if (hadSuccessor || !sys.has(Fault.H6_DISABLED_MIGRATING_BITMAP_NOT_FINISHED)) {
                t.setBusy(false);
            }
        }
    }

    /** The source's bitmaps in the stream: the riding ones it still has, with the flags their START records carry. */
    private List<MigratingBitmap> migrating(Iterable<String> names, boolean persistenceFlag) {
        List<MigratingBitmap> out = new ArrayList<>();
        for (String name : names) {
            DirtyBitmap b = source().bitmap(name);
            if (b != null) {
                out.add(new MigratingBitmap(ImplSystem.NODE_NAME, name, b.granularityBytes(), b.enabled(),
                        persistenceFlag && b.persistence(), b.bits(), sys.disk().bytes()));
            }
        }
        return out;
    }

    /** Stream state for a migration that did not start in this object (built from a model world): replay the setup. */
    private void primeStream() {
        List<MigratingBitmap> list = new ArrayList<>();
        for (String name : migration.riding) {
            DirtyBitmap b = source().bitmap(name);
            if (b != null && name.getBytes(StandardCharsets.UTF_8).length <= 255) {
                list.add(new MigratingBitmap(ImplSystem.NODE_NAME, name, b.granularityBytes(),
                        migration.enabledAtStart.contains(name), false, b.bits(), sys.disk().bytes()));
            }
        }
        migration.encoder = new StreamEncoder(list, sys.streamFaults());
        migration.decoder = new StreamDecoder(Map.of(ImplSystem.NODE_NAME, sys.disk().bytes()));
        try {
            migration.decoder.decode(migration.encoder.setupSection());
        } catch (StreamFormatException e) {
            throw new IllegalStateException(e);
        }
    }
}
