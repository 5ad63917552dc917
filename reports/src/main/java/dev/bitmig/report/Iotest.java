package dev.bitmig.report;

import dev.bitmig.check.Trace;
import dev.bitmig.model.Action;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.Cause;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Loss;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;
import dev.bitmig.qemu.Flavour;
import dev.bitmig.qemu.MigrationOps;
import dev.bitmig.qemu.Op;
import dev.bitmig.qemu.QemuTable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A test for QEMU's own harness (tests/qemu-iotests, python module iotests) from a counterexample that real QEMU 7.2
 * can replay: the steps as the table's operations in the live runner's flavour, with the live runner's migration
 * holds (pause-before-switchover, the target held by SIGSTOP across the source's inactivation), every QMP result
 * checked, and after the step where the model of that QEMU (QEMU_7_2) breaks the invariant an assertion of the correct
 * behaviour: it fails on QEMU that has the bug and passes on one that does not. A step the model fails (a failed
 * reactivation, which ejects the node) is written as an attempt whose error, where QEMU gives one, must be the model's
 * text; the test then stops with the NoLostDisk assertion that the QEMU still has its disk.
 */
public final class Iotest {
    /**
     * A generated test and its reference output, or why there is none; the invariant its assertion names, and the
     * error text of the step the model fails (empty when none fails).
     */
    public record Result(String test, String reference, String whyNot, String invariant, String failure) {
        public boolean generated() {
            return whyNot.isEmpty();
        }
    }

    /** What iotests prints for one passing test case. */
    public static final String REFERENCE = ".\n----------------------------------------------------------------------\nRan 1 tests\n\nOK\n";

    private enum Mig { NONE, PRE_SWITCHOVER, HANDED_OVER }

    private final Trace trace;
    /** The model of the QEMU the test runs on: its steps, failures and the invariant it breaks. */
    private final Policy model;
    private final Geometry g;
    private final StringBuilder body = new StringBuilder();
    private final Set<NodeId> alive = EnumSet.of(NodeId.SOURCE);
    private Mig mig = Mig.NONE;
    private boolean frozen;
    private World w;
    /** The model's error text while the current step fails and its failing QMP command is not written yet. */
    private String failing;
    /** Whether the current step's failing command was written: the live runner sends nothing of the step after it. */
    private boolean attempted;
    /** The model's error text of the step that failed, or empty. */
    private String failure = "";

    /** The volume under the image and each VM's blkdebug layer (store failures only). */
    private final IotestVolume volume;

    private Iotest(Trace t, Policy model) {
        this.trace = t;
        this.model = model;
        this.volume = new IotestVolume(t.configuration().capabilities().storeFailures());
        this.g = t.configuration().geometry();
        this.w = World.initial(g);
    }

    /**
     * The test for {@code t}, named {@code name} (its file name in tests/qemu-iotests/tests), for QEMU 7.2: the
     * release iotests/build-qemu builds by default and whose operations the table's LIVE flavour spells.
     */
    public static Result of(Trace t, String name) {
        return of(t, name, Policies.QEMU_7_2);
    }

    /** The test for {@code t} on the QEMU release whose model is {@code model} (QEMU_7_2 or QEMU_10_0). */
    public static Result of(Trace t, String name, Policy model) {
        Invariant inv = Invariant.byTitle(t.invariant()).getOrNull();
        if (inv != Invariant.NO_UNDER_REPORT && inv != Invariant.NO_SILENT_LOSS && inv != Invariant.NO_LOST_DISK) {
            return none("only NoUnderReport, NoSilentLoss and NoLostDisk are judged on QEMU's state");
        }
        return new Iotest(t, model).generate(inv, name);
    }

    private static Result none(String why) {
        return new Result("", "", why, "", "");
    }

    /** Thrown while planning a step that has no replay on QEMU 7.2 here. */
    private static final class NoReplay extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoReplay(String why) {
            super(why);
        }
    }

    private Result generate(Invariant inv, String name) {
        Spec spec = new Spec(model, g);
        List<Action> actions = trace.fromRunningSource();
        Optional<String> check = Optional.empty();
        Invariant asserted = inv;
        try {
            for (int i = 0; i < actions.size() && check.isEmpty(); i++) {
                Action a = actions.get(i);
                Outcome o = spec.apply(w, a);
                World before = w;
                if (o instanceof Outcome.Failed f) {
                    // A failed reactivation: QEMU's command fails and the node is left without a medium (D4).
                    failing = f.reason();
                    failure = f.reason();
                    w = f.world();
                } else if (o instanceof Outcome.Next next) {
                    w = next.world();
                } else {
                    throw new NoReplay("step " + (i + 1) + " " + a + " is rejected by the model");
                }
                line("# step " + (i + 1) + ": " + a);
                step(a, before);
                endAttempt(i + 1, a);
                sync();
                check = assertion(inv, i + 1);
                if (check.isEmpty() && inv != Invariant.NO_LOST_DISK) {
                    // Nothing after a lost disk runs as the sequence meant: the test stops on the lost disk.
                    check = assertion(Invariant.NO_LOST_DISK, i + 1);
                    asserted = check.isPresent() ? Invariant.NO_LOST_DISK : inv;
                }
            }
        } catch (NoReplay e) {
            return none(e.getMessage());
        }
        if (check.isEmpty()) {
            return none("the model (" + model.name() + ") does not break " + inv.title() + " on this sequence");
        }
        body.append(check.get());
        return new Result(header(name, asserted) + body + "\n\nif __name__ == '__main__':\n"
                + "    iotests.main(supported_fmts=['qcow2'], supported_protocols=['file'])\n", REFERENCE, "",
                asserted.title(), failure);
    }

    /** After a step the model fails: its failing command must have been written. */
    private void endAttempt(int step, Action a) {
        if (failing != null) {
            throw new NoReplay("step " + step + " " + a + " fails in the model, but no QMP command of its counterpart "
                    + "on QEMU returns the failure");
        }
        attempted = false;
    }

    private String header(String name, Invariant asserted) {
        StringBuilder b = new StringBuilder("#!/usr/bin/env python3\n# group: rw migration\n#\n")
                .append("# ").append(name).append(": dirty bitmaps across migration, ").append(trace.invariant()).append(".\n")
                .append("# ").append(trace.message()).append("\n#\n")
                .append(asserted.title().equals(trace.invariant()) ? ""
                        : "# On QEMU (" + model.name() + ") the sequence breaks " + asserted.title() + " first.\n#\n")
                .append("# The test asserts the correct behaviour; it fails on a QEMU that breaks it.\n#\n");
        for (String l : LICENCE) {
            b.append(l.isEmpty() ? "#\n" : "# " + l + "\n");
        }
        return b.append("#\n\nimport json\nimport os\nimport signal\nimport time\n\nimport iotests\n")
                .append("from iotests import qemu_img, qemu_img_create, qemu_img_info, qemu_io\n\n")
                .append("disk = os.path.join(iotests.test_dir, 'disk.qcow2')\n")
                .append("mig_sock = os.path.join(iotests.sock_dir, 'mig.sock')\n")
                .append("CLUSTER = ").append(Geometry.CLUSTER_BYTES).append("\n\n\n")
                .append("class Test").append(Report.camel(name)).append("(iotests.QMPTestCase):\n")
                .append("    def setUp(self):\n")
                .append("        qemu_img_create('-f', iotests.imgfmt, disk, '").append(g.clusters() * Geometry.CLUSTER_BYTES).append("')\n")
                .append("        self.vm = {}\n        self.frozen = set()\n        self.failed = []\n")
                .append("        self.launch('source'").append(IotestVolume.initialLaunchArgument(volume.layered())).append(")\n\n")
                .append(helpers())
                .append("\n    def test_").append(asserted.title().toLowerCase(java.util.Locale.ROOT)).append("(self):\n")
                .toString();
    }

    private static final List<String> LICENCE = List.of(
            "This program is free software; you can redistribute it and/or modify",
            "it under the terms of the GNU General Public License as published by",
            "the Free Software Foundation; either version 2 of the License, or",
            "(at your option) any later version.", "",
            "This program is distributed in the hope that it will be useful,",
            "but WITHOUT ANY WARRANTY; without even the implied warranty of",
            "MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the",
            "GNU General Public License for more details.", "",
            "You should have received a copy of the GNU General Public License",
            "along with this program.  If not, see <http://www.gnu.org/licenses/>.");

    private void line(String text) {
        body.append(IotestLines.IND).append(text).append('\n');
    }

    private void emit(Op op) {
        if (attempted) {
            throw new NoReplay("the operations after the command that fails in the model are not written");
        }
        if (failing != null && op instanceof Op.Qmp q) {
            line("# " + model.name() + ": " + q.command() + " fails with " + IotestLines.py(failing));
            body.append(IotestLines.attempt(q, failing));
            failing = null;
            attempted = true;
            return;
        }
        body.append(op instanceof Op.Launch l ? IotestLines.launch(l, volume.launchArgument(l.readOnly()))
                : IotestLines.of(op));
    }

    private void emit(List<Op> ops) {
        ops.forEach(this::emit);
    }

    private static List<Op> ops(Action a) {
        return QemuTable.ops(a, Flavour.LIVE);
    }

    private void requireOn(NodeId n) {
        if (!alive.contains(n)) throw new NoReplay("no QEMU runs as " + n.lower());
        if (n == NodeId.TARGET && frozen) throw new NoReplay("the target is held between handover and completion");
    }

    /** The live runner's side of each action (qemu-live LiveMapper), decided here from the model's states. */
    private void step(Action a, World before) {
        if (a instanceof Action.Launch l) {
            emit(ops(a));
            alive.add(l.node());
            volume.launched(l.node());
        } else if (a instanceof Action.Quit q) {
            requireOn(q.node());
            emit(ops(a));
            gone(q.node());
        } else if (a instanceof Action.Crash c) {
            emit(ops(a));
            gone(c.node());
        } else if (a instanceof Action.ForeignWrite || a instanceof Action.ImgBitmap || a instanceof Action.ImgCheck
                || a instanceof Action.ImgConvert) {
            emit(ops(a));
        } else if (a instanceof Action.MigrateStart m) {
            migrateStart(m);
        } else if (a instanceof Action.Inactivate i && i.node() == NodeId.SOURCE && mig == Mig.PRE_SWITCHOVER) {
            // The source of a migration paused in pre-switchover inactivates by the handover (LiveMapper).
            requireOn(i.node());
            handover();
        } else if (a instanceof Action.MigrateComplete) {
            migrateComplete();
        } else if (a instanceof Action.MigrateCancel) {
            migrateCancel();
        } else if (a instanceof Action.MigrateFail f) {
            migrateFail(f.when() == Action.FailPoint.BEFORE_HANDOVER);
        } else if (a instanceof Action.Cont c && c.node() == NodeId.TARGET && frozen
                && model.release().contActivatesIncoming()) {
            throw new NoReplay("cont on the held incoming target: QEMU 7.2 would activate it, and it cannot answer");
        } else if (a instanceof Action.Cont c && (c.node() == NodeId.TARGET && frozen
                || c.node() == NodeId.SOURCE && mig == Mig.PRE_SWITCHOVER)) {
            line("# not sent: the model's " + c.node().lower() + " runs on here");
        } else if (a instanceof Action.MirrorStart || a instanceof Action.MirrorCopy || a instanceof Action.MirrorCancel
                || a instanceof Action.BackupFail || a instanceof Action.Stop && mig != Mig.NONE) {
            throw new NoReplay(a + " has no step-by-step counterpart on QEMU 7.2");
        } else if (a instanceof Action.BackupStart || a instanceof Action.BackupCopy || a instanceof Action.BackupCancel) {
            throw new NoReplay(a + ": a backup job's steps are not written as an iotest yet (the live runner and the "
                    + "reproducer run them)");
        } else if (a instanceof Action.VolumeFull v) {
            if (frozen) throw new NoReplay("the volume changes while the target is held between handover and completion");
            emit(volume.change(v.full(), alive, before));
        } else {
            requireOn(node(a));
            emit(ops(a));
        }
    }

    private static NodeId node(Action a) {
        try {
            return (NodeId) a.getClass().getMethod("node").invoke(a);
        } catch (ReflectiveOperationException e) {
            throw new NoReplay(a + " names no node");
        }
    }

    private void migrateStart(Action.MigrateStart m) {
        requireOn(NodeId.SOURCE);
        if (mig != Mig.NONE || !alive.contains(NodeId.TARGET)) {
            throw new NoReplay("a migration while one runs, or without an incoming target");
        }
        emit(ops(m));
        if (!w.target().isOn()) {
            line("# the target refuses the stream and exits; the paused source is cancelled");
            waitExit(NodeId.TARGET);
            emit(List.of(MigrationOps.cancel(Flavour.LIVE), new Op.Await(NodeId.SOURCE, "cancelled")));
            return;
        }
        mig = Mig.PRE_SWITCHOVER;
        List<String> names = w.source().bitmaps().keySet().toJavaList();
        if (m.capability() && !names.isEmpty()) {
            line("self.wait_target_lists(" + IotestLines.py(names) + ")");
        }
    }

    private void handover() {
        if (volume.full()) throw new NoReplay("a handover on a full volume (the source's store may fail it) is not written");
        line("# handover: hold the target, let the source send the rest and inactivate");
        emit(MigrationOps.handover());
        line("self.wait_unlocked()");
        frozen = true;
        mig = Mig.HANDED_OVER;
    }

    private void migrateComplete() {
        if (mig == Mig.NONE) throw new NoReplay("no migration to complete");
        for (Op op : ops(new Action.MigrateComplete())) {
            if (op instanceof Op.Qmp && mig == Mig.HANDED_OVER) {
                emit(MigrationOps.release());
                frozen = false;
            } else if (!(op instanceof Op.Await aw && aw.node() == NodeId.TARGET && !alive.contains(NodeId.TARGET))) {
                emit(op);
            }
        }
        mig = Mig.NONE;
    }

    private void migrateCancel() {
        requireOn(NodeId.SOURCE);
        emit(MigrationOps.cancel(Flavour.LIVE));
        if (mig == Mig.NONE) {
            return;
        }
        emit(new Op.Await(NodeId.SOURCE, "cancelled"));
        if (mig == Mig.HANDED_OVER) {
            line("# the held target has the whole stream; the model's incoming QEMU exits on a cancelled one");
            emit(MigrationOps.killTarget());
            alive.remove(NodeId.TARGET);
            frozen = false;
        }
        mig = Mig.NONE;
    }

    private void migrateFail(boolean before) {
        if (mig == Mig.NONE || before && mig == Mig.HANDED_OVER) throw new NoReplay("no migration to fail there");
        if (!before && mig == Mig.PRE_SWITCHOVER) {
            handover();
        }
        for (Op op : ops(new Action.MigrateFail(before ? Action.FailPoint.BEFORE_HANDOVER : Action.FailPoint.AFTER_HANDOVER))) {
            emit(op);
        }
        alive.remove(NodeId.TARGET);
        frozen = false;
        mig = Mig.NONE;
    }

    /** A QEMU went away: the other side of a running migration reacts (LiveSystem.afterGone). */
    private void gone(NodeId n) {
        alive.remove(n);
        if (n == NodeId.TARGET) frozen = false;
        if (mig == Mig.NONE) return;
        if (n == NodeId.TARGET) {
            if (mig == Mig.PRE_SWITCHOVER) {
                emit(List.of(MigrationOps.cancel(Flavour.LIVE), new Op.Await(NodeId.SOURCE, "cancelled")));
            } else if (alive.contains(NodeId.SOURCE)) {
                emit(new Op.Await(NodeId.SOURCE, "failed"));
            }
        } else {
            if (frozen) {
                emit(MigrationOps.release());
                frozen = false;
            }
            if (w.target().isOn() && alive.contains(NodeId.TARGET)) {
                emit(new Op.Await(NodeId.TARGET, "completed"));
            }
        }
        mig = Mig.NONE;
    }

    /** A QEMU the model says is off but that was not stopped by a step: it leaves by itself. */
    private void sync() {
        for (NodeId n : NodeId.values()) {
            if (alive.contains(n) && !w.node(n).isOn()) {
                waitExit(n);
            }
        }
    }

    private void waitExit(NodeId n) {
        line("self.wait_exit(" + IotestLines.py(n.lower()) + ")");
        alive.remove(n);
        if (n == NodeId.TARGET) frozen = false;
    }

    /** The assertion of the correct behaviour once the model breaks the invariant, or none yet. */
    private Optional<String> assertion(Invariant inv, int step) {
        if (inv.violation(w, g).isEmpty()) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder();
        String ind = IotestLines.IND;
        b.append(ind).append("# ").append(inv.title()).append(" breaks here on ").append(model.name()).append(": ")
                .append(inv.violation(w, g).get()).append('\n');
        if (inv == Invariant.NO_LOST_DISK) {
            for (NodeId id : NodeId.values()) {
                if (w.node(id).block() == BlockState.EJECTED) {
                    requireOn(id);
                    b.append(ind).append("self.assert_has_disk(").append(IotestLines.py(id.lower())).append(", ").append(step).append(")\n");
                }
            }
            return Optional.of(b.toString());
        }
        if (inv == Invariant.NO_SILENT_LOSS) {
            for (Loss l : w.losses()) {
                if (l.cause() == Cause.SILENT) {
                    b.append(ind).append("self.assert_not_lost(").append(IotestLines.py(l.bitmap())).append(", ").append(step).append(")\n");
                }
            }
            return Optional.of(b.toString());
        }
        boolean any = false;
        for (NodeId id : NodeId.values()) {
            Node n = w.node(id);
            if (!n.isActive()) continue;
            for (var e : n.bitmaps()) {
                Bitmap bm = e._2;
                if (bm.inconsistent() || Invariant.missing(w, bm.lineage(), bm.granules(), bm.granularity(), g).isEmpty()) {
                    continue;
                }
                List<Integer> truth = w.ghost().lineage(bm.lineage()).truth().toJavaList();
                b.append(ind).append("self.assert_reports(").append(IotestLines.py(id.lower())).append(", ")
                        .append(IotestLines.py(e._1)).append(", ").append(truth).append(", ").append(step).append(")\n");
                any = true;
            }
        }
        if (!any) {
            throw new NoReplay("the under-reporting copy is an image entry, which QEMU shows only once loaded");
        }
        return Optional.of(b.toString());
    }

    private static String helpers() {
        try (InputStream in = Iotest.class.getResourceAsStream("iotest-helpers.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
