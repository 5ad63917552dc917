package dev.bitmig.model;

import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.vavr.control.Either;
import io.vavr.control.Option;

import java.nio.charset.StandardCharsets;

import static dev.bitmig.model.Outcome.failed;
import static dev.bitmig.model.Outcome.next;
import static dev.bitmig.model.Outcome.rejected;

/**
 * One method per action, each in the same shape: the guards first (each rejection carries QEMU's error), then the
 * effect. Read it like a TLA+ spec: the comment above each rule names the QEMU behaviour and where it comes from.
 */
final class Transitions {
    private final Geometry geometry;
    private final Policy policy;
    private final Lifecycle life;
    private final Backups backups;

    Transitions(Policy policy, Geometry geometry) {
        this.policy = policy;
        this.geometry = geometry;
        this.life = new Lifecycle(policy, geometry);
        this.backups = new Backups(geometry);
    }

    Action.Visitor<Outcome> in(World w) {
        return new Step(w);
    }

    /**
     * The rules of every action; the bitmap commands' are in {@link BitmapRules}, the block jobs' in {@link JobRules},
     * qemu-img's in {@link OfflineRules}.
     */
    private final class Step extends JobRules {
        private final World w;

        Step(World w) {
            super(w, geometry, backups);
            this.w = w;
        }

        // ---------------------------------------------------------------- writes

        /** R11 (block/io.c bdrv_co_write_req_finish -> bdrv_set_dirty): every enabled bitmap of the node records, rounded outward. */
        @Override
        public Outcome visit(Action.GuestWrite a) {
            Node n = w.node(a.node());
            if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
            if (!geometry.inBounds(a.first(), a.count())) return rejected(QemuErrors.WRITE_OUT_OF_RANGE);
            // D4 (block/io.c): a node without a driver has no medium.
            if (n.block() == BlockState.EJECTED) return rejected(QemuErrors.NO_MEDIUM_WRITE);
            // QEMU 10.0 (block/io.c bdrv_co_write_req_prepare): the write reaches an inactive node and QEMU aborts.
            if (!n.isActive() && !n.readOnly() && policy.release().abortsOnInactiveWrite()) return failed(aborted(w, a.node()), QemuErrors.INACTIVE_WRITE_ABORT);
            // No writes to an inactive or read-only node (block/block-backend.c, QEMU 7.2), and R13 (block/io.c
            // bdrv_aligned_pwritev): none to a node with readonly bitmaps.
            if (!n.isActive() || n.readOnly()) return rejected(QemuErrors.NODE_READ_ONLY);
            if (n.bitmaps().values().exists(Bitmap::readonly)) return rejected(QemuErrors.WRITE_NOT_PERMITTED);

            if (w.image().full() && n.hasJob()) return rejected(QemuErrors.JOB_WRITE_ON_FULL_VOLUME);
            // A full volume: the data stays as it was, but the bitmaps are marked all the same (Effects.refusedWrite).
            if (w.image().full()) return failed(Effects.refusedWrite(w, a.node(), a.first(), a.count(), geometry), QemuErrors.WRITE_NO_SPACE);

            SortedSet<Integer> clusters = TreeSet.range(a.first(), a.first() + a.count());
            World recorded = w.withNode(a.node(), n.withBitmaps(n.bitmaps().mapValues(b -> b.record(clusters, geometry))));
            return next(Effects.mirrored(Effects.written(recorded, clusters, Origin.of(w, Origin.Author.guestOf(a.node()))), a.node(),
                    a.first(), a.count(), clusters));
        }

        /**
         * docs/interop/qcow2.txt autoclear bits; notes §4: a bitmap-aware tool loads, records into and stores the
         * enabled persistent bitmaps; an unaware tool clears autoclear bit 0 before it writes.
         */
        @Override
        public Outcome visit(Action.ForeignWrite a) {
            // Image locking: a tool opening the image read-write fails while a QEMU holds its locks.
            if (w.source().holdsLocks() || w.target().holdsLocks()) return rejected(QemuErrors.WRITE_LOCK);
            if (!geometry.inBounds(a.first(), a.count())) return rejected(QemuErrors.WRITE_OUT_OF_RANGE);
            if (w.image().full()) return rejected(QemuErrors.TOOL_ON_FULL_VOLUME);

            SortedSet<Integer> clusters = TreeSet.range(a.first(), a.first() + a.count());
            Image image = w.image();
            Image after = switch (a.writer()) {
                case AWARE -> {
                    // R12 on its own open, then R3 load, record, and a clean close that stores (R2).
                    SortedMap<String, StoredBitmap> dir = image.autoclear() ? image.directory() : io.vavr.collection.TreeMap.empty();
                    yield image.withDirectory(dir.mapValues(e -> e.inUse() || !e.auto() ? e
                            : e.withGranules(e.granules().addAll(Granules.coveringClusters(clusters, e.granularity())))));
                }
                case UNAWARE -> image.withAutoclear(false);
            };
            Origin.Author author = a.writer() == Action.Writer.AWARE ? Origin.Author.AWARE_TOOL : Origin.Author.UNAWARE_TOOL;
            return next(Effects.written(w.withImage(after), clusters, Origin.of(w, author)));
        }

        // ---------------------------------------------------------------- activation and run state

        /** block.c bdrv_inactivate_all / blockdev-set-active active=false; on the migrating source it is the handover. */
        @Override
        public Outcome visit(Action.Inactivate a) {
            Node n = w.node(a.node());
            if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
            if (a.node() == NodeId.SOURCE && w.migration().isActive() && !w.migration().handedOver()) {
                return handoverUnlessEjected(w);
            }
            // Outside a handover only blockdev-set-active inactivates a node: new in QEMU 10.0 (qapi/block-core.json).
            if (!policy.release().hasBlockdevSetActive()) return rejected(QemuErrors.NO_SET_ACTIVE);
            if (n.block() == BlockState.INACTIVE) return next(w);
            // block.c bdrv_inactivate on a node without a driver (D4, QEMU 10.0.2 blockdev-set-active).
            if (n.block() == BlockState.EJECTED) return rejected(QemuErrors.NO_MEDIUM_INACTIVATE);
            // A running VM's node inactivates too (block/block-backend.c blk_can_inactivate: a guest device may).
            if (n.backup().isDefined()) return rejected(QemuErrors.BACKUP_JOB_RUNNING);

            Either<String, World> inactive = life.inactivate(w, a.node());
            // A full volume: the failed store or flush leaves its update in the caches; the flush's -ENOSPC is the answer.
            if (inactive.isLeft() && w.image().full()) return failed(Effects.unflushed(w, a.node()), QemuErrors.INACTIVATE_NO_SPACE);
            // The store's own error goes to stderr; QMP answers with qcow2_inactivate's -EINVAL (block.c bdrv_inactivate).
            if (inactive.isLeft()) return rejected(QemuErrors.INACTIVATE_FAILED);

            return next(inactive.get());
        }

        /** block.c bdrv_activate (formerly bdrv_co_invalidate_cache): only an inactive node does anything. */
        @Override
        public Outcome visit(Action.Activate a) {
            Node n = w.node(a.node());
            if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
            // blockdev-set-active is new in QEMU 10.0; before it, only cont or a migration's end activates.
            if (!policy.release().hasBlockdevSetActive()) return rejected(QemuErrors.NO_SET_ACTIVE);
            if (n.run() == RunState.INMIGRATE) return rejected(QemuErrors.INCOMING_NODE);
            if (a.node() == NodeId.SOURCE && w.migration().isActive()) return rejected(QemuErrors.MIGRATION_IN_PROGRESS);
            // An ejected node stays ejected: activation succeeds and changes nothing (seen on QEMU 10.0.2).
            if (n.block() != BlockState.INACTIVE) return next(w);

            return outcome(life.activate(w, a.node()));
        }

        /**
         * qmp_cont: refused while a migration holds the VM in finish-migrate; then every inactive node activates (on
         * an incoming VM only on QEMU 7.2, where it then just sets autostart) and the VM runs.
         */
        @Override
        public Outcome visit(Action.Cont a) {
            Node n = w.node(a.node());
            if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
            // monitor/qmp-cmds.c qmp_cont: "if (runstate_check(RUN_STATE_FINISH_MIGRATE))", handover to the end.
            if (a.node() == NodeId.SOURCE && w.migration().isActive() && w.migration().handedOver()) {
                return rejected(QemuErrors.MIGRATION_NOT_FINALIZED);
            }
            // qmp_cont: "if (runstate_check(RUN_STATE_INMIGRATE)) autostart = 1" (7.2 has activated the node first).
            if (n.run() == RunState.INMIGRATE) return life.contIncoming(w, a.node()).outcome();
            // migration_block_activate: a running VM's node that blockdev-set-active inactivated activates (10.0).
            if (n.run() == RunState.RUNNING) return life.activateIfInactive(w, a.node()).outcome();

            // D4: a failed reactivation ejects the node and the VM stays stopped (qmp_cont returns the error).
            return outcome(life.cont(w, a.node()), a.node());
        }

        /** qmp_stop: pauses a running VM; no effect on bitmaps (notes §5). */
        @Override
        public Outcome visit(Action.Stop a) {
            Node n = w.node(a.node());
            if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));
            // monitor/qmp-cmds.c qmp_stop: on an incoming VM "autostart = 0", as -S would have done.
            if (n.run() == RunState.INMIGRATE) return next(w.withNode(a.node(), n.withAutostart(false)));
            if (n.run() != RunState.RUNNING) return next(w);

            return next(w.withNode(a.node(), n.withRun(RunState.PAUSED)));
        }

        // ---------------------------------------------------------------- migration

        /**
         * migration/block-dirty-bitmap.c dirty_bitmap_save_setup: with the capability every named bitmap of the source
         * is selected; a busy, readonly or inconsistent one fails the setup (R13); START records reach the target,
         * which creates each bitmap disabled and busy, with a successor if it was enabled (R9), and fails on a name
         * clash (R10).
         */
        @Override
        public Outcome visit(Action.MigrateStart a) {
            Node source = w.node(NodeId.SOURCE);
            Node target = w.node(NodeId.TARGET);
            if (!source.isOn()) return rejected(QemuErrors.notRunning(NodeId.SOURCE));
            if (w.migration().isActive()) return rejected(QemuErrors.MIGRATION_IN_PROGRESS);
            if (source.run() == RunState.INMIGRATE) return rejected(QemuErrors.GUEST_INCOMING);
            // migration/migration.c migrate_prepare: a source paused by a completed migration cannot migrate again.
            if (source.run() == RunState.POSTMIGRATE) return rejected(QemuErrors.PAUSED_BY_MIGRATION);
            // An ejected source migrates until its inactivation fails at completion (seen on QEMU 10.0.2).
            if (source.block() == BlockState.INACTIVE) return rejected(QemuErrors.NODE_INACTIVE);
            if (target.run() != RunState.INMIGRATE) return rejected(QemuErrors.CONNECTION_REFUSED);
            // With bitmaps sent, setup fails on the job's busy bitmap; without the capability the handover is outside
            // the model, and so with the no_bitmaps latch, which sends none either (migration/block-dirty-bitmap.c).
            if (!a.capability() && source.backup().isDefined()) return rejected(QemuErrors.BACKUP_JOB_RUNNING);
            if (source.noBitmaps() && source.backup().isDefined()) return rejected(QemuErrors.BACKUP_JOB_RUNNING);

            // Without the capability no bitmap is selected; the policy still sees the migration start. QEMU bug
            // (migration/block-dirty-bitmap.c): once a migration found no bitmap, dirty_bitmap_is_active() stays false
            // (no_bitmaps is never cleared), so savevm never runs dirty_bitmap_save_setup: as if without the capability.
            if (!a.capability() || source.noBitmaps()) {
                return next(policy.onMigrationStart(w.withMigration(Migration.started(a.capability(), TreeSet.empty(),
                        TreeSet.empty())), TreeSet.empty()));
            }
            // init_dirty_bitmap_migration selects every named bitmap, except the names a policy keeps for itself.
            SortedMap<String, Bitmap> selected = source.bitmaps().filterKeys(name -> !policy.reservesName(name));
            // init_dirty_bitmap_migration: "if (QSIMPLEQ_EMPTY(&s->dbms_list)) s->no_bitmaps = true", for good.
            if (selected.isEmpty()) {
                World latched = w.withNode(NodeId.SOURCE, source.withNoBitmaps());
                return next(policy.onMigrationStart(latched.withMigration(Migration.started(true, TreeSet.empty(),
                        TreeSet.empty())), TreeSet.empty()));
            }
            // Names longer than 255 bytes do not fit the stream without an alias (init_dirty_bitmap_migration).
            // The failed setup closes the stream, so the incoming QEMU's load fails and it exits (migration.c).
            if (selected.values().exists(b -> b.busy() || b.readonly() || b.inconsistent())
                    || selected.keySet().exists(n -> n.getBytes(StandardCharsets.UTF_8).length > 255)) {
                World started = policy.onMigrationStart(w.withMigration(Migration.started(true, TreeSet.empty(),
                        TreeSet.empty())), TreeSet.empty());
                return next(life.endMigration(started, Phase.FAILED, QemuErrors.SETUP_FAILED));
            }
            SortedSet<String> enabled = selected.filter((name, b) -> b.enabled()).keySet();
            World started = w.withMigration(Migration.started(true, selected.keySet(), enabled));
            World hooked = policy.onMigrationStart(started, selected.keySet());
            Option<String> clash = selected.keySet().find(target.bitmaps()::containsKey);
            if (clash.isDefined()) {
                World ended = life.endMigration(hooked, Phase.FAILED, QemuErrors.destinationClash(clash.get()));
                return next(ended);
            }
            SortedMap<String, Bitmap> arriving = selected.mapValues(
                    b -> Bitmap.arriving(b.granularity(), b.persistence(), b.enabled(), b.lineage()));
            return next(hooked.withNode(NodeId.TARGET, target.withBitmaps(target.bitmaps().merge(arriving))));
        }

        /**
         * migration/migration.c: completion hands over (if not yet), then the target's before_vm_start enables the
         * bitmaps whose START carried ENABLED (dirty_bitmap_mig_before_vm_start), the target activates (R3, R14) and
         * runs; the source is postmigrate and its bitmaps are no longer busy.
         */
        @Override
        public Outcome visit(Action.MigrateComplete a) {
            if (!w.migration().isActive()) return rejected(QemuErrors.NO_MIGRATION);
            if (!w.migration().handedOver() && w.source().block() == BlockState.EJECTED) return handoverUnlessEjected(w);
            Either<String, World> handedOver = w.migration().handedOver() ? Either.right(w) : life.handover(w);
            if (handedOver.isLeft()) return inactivationFailed(w, handedOver.getLeft());

            World h = handedOver.get();
            World done = Persistence.updateAll(h, NodeId.SOURCE, h.migration().riding(), b -> b.withBusy(false));
            done = done.withNode(NodeId.SOURCE, done.node(NodeId.SOURCE).withRun(RunState.POSTMIGRATE));
            return next(life.completeOnTarget(done));
        }

        /** qmp_migrate_cancel: a no-op without a migration; otherwise as a failure (migration_iteration_finish). */
        @Override
        public Outcome visit(Action.MigrateCancel a) {
            if (!w.migration().isActive()) return next(w);

            return next(life.endMigration(w, Phase.CANCELLED, ""));
        }

        /** A failure before the source inactivated, or in the final flush after it (notes §3.3). */
        @Override
        public Outcome visit(Action.MigrateFail a) {
            if (!w.migration().isActive()) return rejected(QemuErrors.NO_MIGRATION);
            boolean after = a.when() == Action.FailPoint.AFTER_HANDOVER;
            if (!after && w.migration().handedOver()) return rejected(QemuErrors.ALREADY_HANDED_OVER);
            if (after && !w.migration().handedOver() && w.source().block() == BlockState.EJECTED) return handoverUnlessEjected(w);
            Either<String, World> ready = after && !w.migration().handedOver() ? life.handover(w) : Either.right(w);
            if (ready.isLeft()) return inactivationFailed(w, ready.getLeft());

            String why = after ? "bitmig: stream error after handover" : "bitmig: stream error before handover";
            return next(life.endMigration(ready.get(), Phase.FAILED, why));
        }

        // ---------------------------------------------------------------- processes

        /**
         * quit: bdrv_close_all stores through qcow2_do_close only if the node is active (R2), then the process ends; a
         * read-only node with a persistent bitmap to store fails that store ("Lost persistent bitmaps").
         */
        @Override
        public Outcome visit(Action.Quit a) {
            Node n = w.node(a.node());
            if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));

            World cancelled = backups.cancelledByQuit(w, a.node());
            // qemu_cleanup: an incoming VM (active after 7.2's cont) closes its node, and its source sees the stream
            // end once it is gone; a source's migration_shutdown cancels the outgoing migration before bdrv_close_all.
            if (a.node() == NodeId.TARGET) {
                World closed = gone(life.close(cancelled, NodeId.TARGET), NodeId.TARGET);
                return next(life.abandonMigration(closed, NodeId.TARGET));
            }
            World ended = life.abandonMigration(cancelled, NodeId.SOURCE);
            return next(gone(life.close(ended, NodeId.SOURCE), NodeId.SOURCE));
        }

        /** kill -9: RAM is gone; IN_USE entries stay behind and load as inconsistent (R5). */
        @Override
        public Outcome visit(Action.Crash a) {
            Node n = w.node(a.node());
            if (!n.isOn()) return rejected(QemuErrors.notRunning(a.node()));

            return next(gone(life.abandonMigration(w, a.node()), a.node()));
        }

        /**
         * Start QEMU on the image. -incoming opens it inactive and loads nothing (R3, 9c98f145df); otherwise the
         * open takes the lock and loads the bitmaps (R3, R12).
         */
        @Override
        public Outcome visit(Action.Launch a) {
            Node n = w.node(a.node());
            if (n.isOn()) return rejected(QemuErrors.alreadyRunning(a.node()));

            if (a.incoming()) {
                Node incoming = new Node(RunState.INMIGRATE, BlockState.INACTIVE, a.readOnly(),
                        io.vavr.collection.TreeMap.empty());
                return next(w.withNode(a.node(), incoming));
            }
            World opening = w.withNode(a.node(),
                    new Node(RunState.RUNNING, BlockState.INACTIVE, a.readOnly(), io.vavr.collection.TreeMap.empty()));
            Option<String> conflict = Lifecycle.lockConflict(opening, a.node());
            if (conflict.isDefined()) return rejected(conflict.get());
            return outcome(Persistence.load(opening, a.node()).map(loaded -> {
                World active = loaded.withNode(a.node(), loaded.node(a.node()).withBlock(BlockState.ACTIVE));
                return a.readOnly() ? active : active.withImage(active.image().withOwner(Option.some(a.node())));
            }));
        }

        /**
         * Fate: the volume under the image fills up, or has space again. Filling writes nothing by itself; once there
         * is space, the next flush writes what the caches held (the live runner flushes every running QEMU then).
         */
        @Override
        public Outcome visit(Action.VolumeFull a) {
            if (w.image().full() == a.full()) return next(w);

            World volume = w.withImage(w.image().withFull(a.full()));
            for (NodeId id : NodeId.values()) {
                volume = volume.withNode(id, volume.node(id).withUnflushed(false));
            }
            return next(volume);
        }

        // ---------------------------------------------------------------- helpers

        /**
         * The source hands over (migration_completion); an ejected source cannot inactivate, so the migration fails
         * there and the incoming QEMU exits (D4, seen on QEMU 10.0.2).
         */
        private Outcome handoverUnlessEjected(World w) {
            if (w.source().block() == BlockState.EJECTED) {
                return next(life.endMigration(w, Phase.FAILED, QemuErrors.COMPLETION_FAILED));
            }
            Either<String, World> handedOver = life.handover(w);
            return handedOver.isRight() ? next(handedOver.get()) : inactivationFailed(w, handedOver.getLeft());
        }

        /**
         * A handover whose inactivation failed to store (migration/savevm.c qemu_savevm_state_complete_precopy:
         * "bdrv_inactivate_all() failed"): the migration fails there, the incoming QEMU exits on the broken stream, and
         * the source, still active with its bitmaps, restarts if it ran (migration_iteration_finish).
         */
        private Outcome inactivationFailed(World w, String error) {
            // On a full volume the failed store's allocations stay in the source's caches (block/qcow2-refcount.c).
            World refused = w.image().full() ? Effects.unflushed(w, NodeId.SOURCE) : w;
            return next(life.endMigration(refused, Phase.FAILED, error));
        }
    }

    /** The process is gone: its RAM and its lock. */
    private static World gone(World w, NodeId node) {
        World off = w.withNode(node, Node.OFF);
        return off.withoutLockOf(node);
    }

    /** QEMU aborted: as kill -9, and the user sees it (every bitmap of the node is declared lost to a crash). */
    private World aborted(World before, NodeId node) {
        World w = life.abandonMigration(before, node);
        World next = w;
        for (var e : w.node(node).bitmaps()) {
            next = next.lose(new Loss(e._2.lineage(), e._1, Cause.CRASH, false));
        }
        return gone(next, node);
    }

    /** An activation's outcome (Activation#outcome). */
    private static Outcome outcome(Activation a) {
        return a.outcome();
    }

    /** cont's outcome: the VM of {@code node} runs once the node is active; a refusal or an ejection leaves it stopped. */
    private static Outcome outcome(Activation a, NodeId node) {
        if (a instanceof Activation.Active r) {
            return next(r.world().withNode(node, r.world().node(node).withRun(RunState.RUNNING)));
        }
        return a.outcome();
    }

    private static Outcome outcome(Either<String, World> e) {
        return e.fold(Outcome::rejected, Outcome::next);
    }
}
