package dev.bitmig.check;

import dev.bitmig.impl.Fault;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import io.vavr.collection.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every seeded fault of the implementation is caught twice: by the random lockstep chains with the default tries, and
 * by the exhaustive explorer's per-transition refinement check. Each test asserts which check failed and the length of
 * the counterexample: the explorer's is a shortest one, so never longer than the shrunk random one, and both replay.
 */
class SeededFaultsAreCaughtTest {
    static final int DEFAULT_TRIES = 1000;
    static final int MAX_CHAIN = 32;

    /** A fault, the policy and bounds it shows under, and the checks that may catch it. */
    record Case(Fault fault, Policy policy, Bounds bounds, Set<Check> checks) { }

    /** A counterexample a QEMU developer reads in a minute. */
    static final int LONGEST = 8;

    static final Bounds SMALL = Bounds.DEFAULT.withDepth(6);

    /** Backup jobs on a small disk: a write, a job, and its end fit in six steps. */
    static final Bounds BACKUPS = SMALL.withClusters(2).withGranularities(List.of(1))
            .withCapabilities(dev.bitmig.model.Capabilities.BACKUP_JOBS);

    /** A volume that fills up, on a small disk. */
    static final Bounds FULL_VOLUME = SMALL.withClusters(2).withGranularities(List.of(1))
            .withCapabilities(dev.bitmig.model.Capabilities.STORE_FAILURES);

    static final List<Case> CASES = List.of(
            new Case(Fault.H1_SKIP_STORE_NOT_RESET_ON_ACTIVATION, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            // H4 needs a read-only launch, a stop and an inactivation; since a failed reactivation ejects the node
            // (D4), chains also spend steps on nodes without a medium, so the bounds keep only what H4 needs.
            new Case(Fault.H4_READONLY_BITMAPS_NOT_RELEASED, Policies.QEMU_10_0,
                    SMALL.withReadOnlyLaunch(true).withGranularities(List.of(1)).withClusters(2), Set.of(Check.ABSTRACTION)),
            new Case(Fault.H6_DISABLED_MIGRATING_BITMAP_NOT_FINISHED, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.H10_CHUNK_SIZE_32BIT_OVERFLOW, Policies.QEMU_10_0, SMALL.withGranularities(List.of(8)),
                    Set.of(Check.ABSTRACTION, Check.OUTCOME)),
            new Case(Fault.HBITMAP_UPPER_LEVEL_NOT_CLEARED_ON_RESET, Policies.QEMU_10_0,
                    SMALL.withClusters(256).withWriteStride(100), Set.of(Check.ABSTRACTION)),
            new Case(Fault.HBITMAP_COUNT_OFF_AFTER_OVERLAPPING_SET, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.HBITMAP_SERIALIZE_DROPS_LAST_PARTIAL_WORD, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.HBITMAP_ZERO_LENGTH_SET, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.HBITMAP_RESET_ROUNDS_OUTWARD, Policies.QEMU_10_0, SMALL.withMirrorGranularities(List.of(2)),
                    Set.of(Check.ABSTRACTION)),
            new Case(Fault.STORE_WRITES_WHILE_INACTIVE, Policies.QEMU_10_0, SMALL, Set.of(Check.INACTIVE_WRITE, Check.ABSTRACTION)),
            new Case(Fault.STORE_NO_IN_USE_ON_OPEN, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.MERGE_IGNORES_GRANULARITY, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.CANARY_NOT_RECORDED_BY_TARGET, Policies.CANARY_DROP, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.SUCCESSOR_NOT_MERGED_AT_COMPLETE, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.DROP_ON_INACTIVATE_KEEPS_TRANSIENT, Policies.DROP_ON_INACTIVATE, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.START_ENABLED_FLAG_IGNORED_BY_TARGET, Policies.QEMU_10_0, SMALL, Set.of(Check.ABSTRACTION)),
            new Case(Fault.BACKUP_FAILURE_DROPS_SUCCESSOR, Policies.QEMU_10_0, BACKUPS, Set.of(Check.ABSTRACTION)),
            new Case(Fault.ABDICATE_KEEPS_OLD_BITS, Policies.QEMU_10_0, BACKUPS, Set.of(Check.ABSTRACTION)),
            // A failed store needs something QEMU cannot store: a persistent bitmap on a read-only node...
            new Case(Fault.STORE_FAILURE_NOT_REPORTED, Policies.QEMU_10_0,
                    SMALL.withReadOnlyLaunch(true).withGranularities(List.of(1)).withClusters(2), Set.of(Check.LOSS_REPORTED)),
            // ...or a volume that has run out of space.
            new Case(Fault.STORE_FAILURE_NOT_REPORTED, Policies.QEMU_10_0, FULL_VOLUME, Set.of(Check.LOSS_REPORTED)));

    /** Each run writes the figures afresh. */
    @org.junit.jupiter.api.BeforeAll
    static void startAFreshFiguresFile() throws java.io.IOException {
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("target", "seeded-faults.md"));
    }

    /** Each fault's figures, as the run measured them: target/seeded-faults.md (for the closing note and the report). */
    private static synchronized void record(String row) {
        try {
            java.nio.file.Path f = java.nio.file.Path.of("target", "seeded-faults.md");
            if (!java.nio.file.Files.exists(f)) {
                java.nio.file.Files.createDirectories(f.getParent());
                java.nio.file.Files.writeString(f, "| fault | caught by | chains to first failure | ms to first failure | shrunk length |\n|---|---|---|---|---|\n");
            }
            java.nio.file.Files.writeString(f, "| " + row + " |\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> theRandomChainsCatchEverySeededFaultWithTheDefaultTries() {
        return CASES.toJavaStream().map(c -> DynamicTest.dynamicTest(c.fault().name(), () -> {
            RandomChains chains = new RandomChains(c.policy(), c.bounds(), Set.of(c.fault()), Check::isRefinement);
            RandomChains.Result r = chains.run(c.fault().ordinal() * 7919L + 1, DEFAULT_TRIES, MAX_CHAIN);
            assertThat(r.failure()).as("%s caught within %d chains", c.fault(), DEFAULT_TRIES).isNotEmpty();
            assertThat(c.checks()).as("check that caught %s: %s", c.fault(), r.failure().get())
                    .contains(r.failure().get().check());
            Trace t = r.counterexample().get();
            record(c.fault().name() + " | " + r.failure().get().check().title() + " | " + r.chainsToFirstFailure() + " | "
                    + String.format(java.util.Locale.ROOT, "%.1f", r.nanosToFirstFailure() / 1e6) + " | " + t.actions().size());
            assertThat(t.actions().size()).as("shrunk counterexample of %s: %s", c.fault(), t.actions())
                    .isBetween(1, LONGEST);
            assertThat(Replay.of(t).reproduces()).as("the saved trace replays").isTrue();
        }));
    }

    @TestFactory
    Stream<DynamicTest> theExplorerCatchesEverySeededFaultWithItsRefinementCheck() {
        return CASES.toJavaStream().map(c -> DynamicTest.dynamicTest(c.fault().name(), () -> {
            Spec spec = new Spec(c.policy(), c.bounds().geometry());
            Explorer explorer = new Explorer(spec, c.bounds(), 2,
                    new ImplRefinement(c.policy(), c.bounds().geometry(), Set.of(c.fault()), true), true);
            ExplorationResult r = explorer.run(Explorer.initialWorlds(c.bounds()), p -> { });
            assertThat(r.refinement()).as("%s caught by the explorer", c.fault()).isNotEmpty();
            Verdict.Violated v = r.refinement().get();
            RandomChains chains = new RandomChains(c.policy(), c.bounds(), Set.of(c.fault()), Check::isRefinement);
            int random = chains.run(c.fault().ordinal() * 7919L + 1, DEFAULT_TRIES, MAX_CHAIN).counterexample()
                    .map(t -> t.actions().size()).getOrElse(Integer.MAX_VALUE);
            assertThat(v.actions().size()).as("the explorer's counterexample of %s is a shortest one: %s", c.fault(), v.actions())
                    .isBetween(1, Math.min(LONGEST, random));
            InitialWorld initial = InitialWorld.values()[v.initial()];
            assertThat(List.of(Check.values()).filter(ch -> chains.replayFailure(initial, v.actions(), ch).isDefined()))
                    .as("the explorer's counterexample fails the same check when replayed")
                    .anyMatch(c.checks()::contains);
        }));
    }
}
