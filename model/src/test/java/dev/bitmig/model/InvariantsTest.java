package dev.bitmig.model;

import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** The safety properties as predicates over one world, each built by hand to show one violation and its sentence. */
class InvariantsTest {
    private static final Geometry G = new Geometry(4);

    @Test
    void theInitialWorldKeepsEveryInvariant() {
        for (Invariant i : Invariant.values()) {
            assertThat(i.violation(World.initial(G), G).isEmpty()).as(i.title()).isTrue();
        }
    }

    @Test
    void anImageEntryThatWouldLoadAsConsistentMustReportItsTruth() {
        World w = World.initial(G).withGhost(new Ghost(TreeMap.of(1, Lineage.fresh(true, true, 1).written(TreeSet.of(0, 3), Origin.of(World.initial(G), Origin.Author.SOURCE_GUEST)))));
        World consistent = w.withImage(w.image().withDirectory(
                TreeMap.of("a", new StoredBitmap(1, false, true, TreeSet.of(0), 1))));
        assertThat(Invariant.NO_UNDER_REPORT.violation(consistent, G).get()).isEqualTo("image entry 'a' would load as "
                + "consistent but does not report clusters {3} that changed while it was meant to record");
        // An IN_USE entry loads as inconsistent (R5): nobody will trust its content.
        World inUse = w.withImage(w.image().withDirectory(
                TreeMap.of("a", new StoredBitmap(1, true, true, TreeSet.of(0), 1))));
        assertThat(Invariant.NO_UNDER_REPORT.holds(inUse, G)).isTrue();
    }

    @Test
    void twoNodesActiveReadWriteOnOneImageBreakSingleWriter() {
        World w = World.initialWithIncomingTarget(G);
        World both = w.withNode(TARGET, w.target().withRun(RunState.RUNNING).withBlock(BlockState.ACTIVE));
        assertThat(Invariant.SINGLE_WRITER.violation(both, G).get())
                .isEqualTo("the source and the target are both active read-write on the image");
    }

    @Test
    void aNodeActiveReadWriteWithoutTheImagesLockBreaksSingleWriter() {
        World w = World.initial(G);
        World unlocked = w.withImage(w.image().withOwner(Option.none()));
        assertThat(Invariant.SINGLE_WRITER.violation(unlocked, G).get())
                .isEqualTo("the source is active read-write without holding the image's lock");
        World wrongOwner = w.withImage(w.image().withOwner(Option.some(TARGET)));
        assertThat(Invariant.SINGLE_WRITER.violation(wrongOwner, G).get())
                .isEqualTo("the source is active read-write without holding the image's lock");
        // A read-only node takes no write lock.
        World reader = unlocked.withNode(SOURCE, new Node(RunState.RUNNING, BlockState.ACTIVE, true, TreeMap.empty()));
        assertThat(Invariant.SINGLE_WRITER.holds(reader, G)).isTrue();
    }

    @Test
    void aLossWithoutACauseTheUserCanSeeIsSilent() {
        World silent = World.initial(G).lose(new Loss(1, "a", Cause.SILENT, false));
        assertThat(Invariant.NO_SILENT_LOSS.violation(silent, G).get()).isEqualTo("persistent bitmap 'a' is gone: no "
                + "consistent copy in RAM and none on the image, and nothing the user could see explains it");
        World crashed = World.initial(G).lose(new Loss(1, "a", Cause.CRASH, false));
        assertThat(Invariant.NO_SILENT_LOSS.holds(crashed, G)).isTrue();
    }
}
