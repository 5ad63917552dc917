package dev.bitmig.live;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.Trace;
import dev.bitmig.check.Verdict;
import dev.bitmig.check.VerdictMatrix;
import dev.bitmig.model.Action;
import dev.bitmig.model.Capabilities;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.NodeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reproducer of every violation class that a capability adds for the QEMU under test (its own row, each class whose
 * counterexample uses one of the capability's actions: qemu-img for --offline-tools, a backup job for --backup-jobs, a
 * full volume for --store-failures) runs those steps on QEMU as the live runner does and must exit with the code the
 * live runner's replay of the same sequence predicts, as {@link ReproducersOnQemuTest} does for the default bounds.
 */
@Tag("qemu")
class CapabilityReproducersOnQemuTest {
    static final Path DIR = Path.of("target/reproducers-capabilities");

    @BeforeAll
    static void requireQemuAndPython() {
        ReproducersOnQemuTest.requireQemuAndPython();
    }

    @TestFactory
    Stream<DynamicTest> everyOfflineEditReproducerExitsWithTheCodeTheLiveRunnerPredicts() throws Exception {
        return classes("offline-tools", Capabilities.OFFLINE_TOOLS, a -> a instanceof Action.ImgBitmap
                || a instanceof Action.ImgCheck || a instanceof Action.ImgConvert, new LiveCampaign().checker(), true);
    }

    /**
     * Each backup-job class's counterexample that runs a job (QEMU 7.2's row has none: its classes are reached without
     * one), and three sequences that drive a job through each of its ends (each BackupStart followed by the BackupCopy
     * that stands for the cluster QEMU copies on its own at the start, as the live runner's generator does): finalized after its copies with guest
     * writes through its filter, then the NoUnderReport shape of a handover; refused by a migration while its bitmap is
     * busy, its last cluster let through, finalized; cancelled, then a crash.
     */
    @TestFactory
    Stream<DynamicTest> everyBackupJobReproducerExitsWithTheCodeTheLiveRunnerPredicts() throws Exception {
        LiveChecker live = new LiveCampaign().checker();
        List<DynamicTest> tests = new ArrayList<>(classes("backup-jobs", Capabilities.BACKUP_JOBS,
                a -> a instanceof Action.BackupStart, live, false).toList());
        Bounds bounds = Bounds.DEFAULT.withCapabilities(Capabilities.BACKUP_JOBS);
        NodeId s = NodeId.SOURCE;
        Map<String, io.vavr.collection.List<Action>> jobs = new LinkedHashMap<>();
        jobs.put("finalized", io.vavr.collection.List.of(new Action.GuestWrite(s, 1, 1),
                new Action.BackupStart(s, "a", Action.Sync.INCREMENTAL, Action.BitmapMode.ON_SUCCESS),
                new Action.BackupCopy(s), new Action.GuestWrite(s, 0, 1), new Action.BackupCopy(s),
                new Action.MigrateStart(true), new Action.Inactivate(s), new Action.ForeignWrite(Action.Writer.AWARE, 0, 1),
                new Action.MigrateComplete()));
        jobs.put("busy", io.vavr.collection.List.of(new Action.GuestWrite(s, 0, 1), new Action.GuestWrite(s, 2, 1),
                new Action.BackupStart(s, "a", Action.Sync.BITMAP, Action.BitmapMode.NEVER), new Action.BackupCopy(s),
                new Action.MigrateStart(true), new Action.GuestWrite(s, 1, 1), new Action.BackupCopy(s),
                new Action.BackupCopy(s), new Action.Quit(s)));
        jobs.put("cancelled", io.vavr.collection.List.of(new Action.GuestWrite(s, 1, 1),
                new Action.BackupStart(s, "a", Action.Sync.BITMAP, Action.BitmapMode.ALWAYS), new Action.BackupCopy(s),
                new Action.GuestWrite(s, 2, 1), new Action.BackupCancel(s), new Action.Crash(s)));
        jobs.forEach((end, steps) -> {
            String name = "backup-jobs-" + end + "-" + QemuInstall.policy().name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-');
            Trace t = new Trace(bounds, QemuInstall.policy().name(), io.vavr.collection.List.empty(),
                    dev.bitmig.check.InitialWorld.BITMAP_LOADED, steps, "NoUnderReport", "a backup job that is " + end);
            tests.add(DynamicTest.dynamicTest(name, () -> ReproducersOnQemuTest.runs(DIR, name, t, live)));
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyFullVolumeReproducerExitsWithTheCodeTheLiveRunnerPredicts() throws Exception {
        return classes("store-failures", Capabilities.STORE_FAILURES, a -> a instanceof Action.VolumeFull,
                new LiveCampaign().withStoreFailures(true).checker(), true);
    }

    /** The classes of the capability's row whose counterexample uses its actions; {@code some}: there must be one. */
    private static Stream<DynamicTest> classes(String capability, Capabilities caps, Predicate<Action> uses,
                                               LiveChecker live, boolean some) throws Exception {
        Files.createDirectories(DIR);
        List<DynamicTest> tests = new ArrayList<>();
        classTraces(capability, caps, uses).forEach((name, t) -> tests.add(DynamicTest.dynamicTest(name,
                () -> ReproducersOnQemuTest.runs(DIR, name, t, live))));
        if (some) {
            assertThat(tests).as("--%s adds classes whose counterexample uses its actions", capability).isNotEmpty();
        }
        return tests.stream();
    }

    /**
     * The counterexample of each class of the QEMU under test's row, with the capability on, that uses one of its
     * actions, by name (CAPABILITY-POLICY-INVARIANT-K).
     */
    static Map<String, Trace> classTraces(String capability, Capabilities caps, Predicate<Action> uses) {
        Bounds bounds = Bounds.DEFAULT.withCapabilities(caps);
        VerdictMatrix m = VerdictMatrix.explore(io.vavr.collection.List.of(QemuInstall.policy()), bounds, 2, p -> { });
        Map<String, Trace> out = new LinkedHashMap<>();
        for (ExplorationResult r : m.rows()) {
            for (Invariant inv : Invariant.values()) {
                if (!(r.verdicts().get(inv).get() instanceof Verdict.Violated)) {
                    continue;
                }
                int k = 0;
                for (var c : r.classesOf(inv)) {
                    Trace t = VerdictMatrix.trace(r, inv, c.counterexample());
                    if (t.actions().find(uses).isDefined()) {
                        out.put((capability + "-" + r.policy() + "-" + inv.title()).toLowerCase(java.util.Locale.ROOT)
                                .replace('_', '-') + "-" + (++k), t);
                    }
                }
            }
        }
        return out;
    }

    /**
     * No class's counterexample runs qemu-img convert (it reaches no state that other steps do not), so one trace does:
     * a crash leaves 'a' IN_USE, convert refuses it, convert --skip-broken-bitmaps leaves it behind and copies 'b',
     * and the QEMUs launched on the copy run the shape of the NoUnderReport class (an aware write between handover and
     * completion). The reproducer must exit with the code the live runner's replay predicts.
     */
    @org.junit.jupiter.api.Test
    void aReproducerThatConvertsTheImageExitsWithTheCodeTheLiveRunnerPredicts() throws Exception {
        Files.createDirectories(DIR);
        Bounds bounds = Bounds.DEFAULT.withCapabilities(Capabilities.OFFLINE_TOOLS);
        Trace t = new Trace(bounds, QemuInstall.policy().name(), io.vavr.collection.List.empty(),
                dev.bitmig.check.InitialWorld.BITMAP_LOADED, io.vavr.collection.List.of(
                        new Action.GuestWrite(dev.bitmig.model.NodeId.SOURCE, 1, 1),
                        new Action.Quit(dev.bitmig.model.NodeId.TARGET), new Action.Crash(dev.bitmig.model.NodeId.SOURCE),
                        new Action.ImgConvert(false), Action.ImgBitmap.add("b", 1, false), new Action.ImgConvert(true),
                        new Action.Launch(dev.bitmig.model.NodeId.SOURCE, false),
                        new Action.Launch(dev.bitmig.model.NodeId.TARGET, true), new Action.MigrateStart(true),
                        new Action.Inactivate(dev.bitmig.model.NodeId.SOURCE),
                        new Action.ForeignWrite(Action.Writer.AWARE, 0, 1), new Action.MigrateComplete()),
                "NoUnderReport", "an aware write between handover and completion, on a converted image");
        String name = "convert-" + QemuInstall.policy().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        ReproducersOnQemuTest.Ran r = ReproducersOnQemuTest.runs(DIR, name, t, new LiveCampaign().checker());
        assertThat(r.predicted().status()).as("the live runner's replay: %s", r.predicted().label())
                .isEqualTo(LiveChecker.Status.AGREE);
        assertThat(r.run().output()).contains("Cannot copy inconsistent bitmap 'a'")
                .contains("qemu-img convert -f qcow2 -O qcow2 --bitmaps --skip-broken-bitmaps");
    }
}
