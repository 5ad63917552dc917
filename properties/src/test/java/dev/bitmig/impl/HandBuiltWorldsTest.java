package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.Concretization;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.Cont;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateComplete;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Migration;
import dev.bitmig.model.Node;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.Spec;
import dev.bitmig.model.Successor;
import dev.bitmig.model.World;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Worlds no short action sequence reaches, built by editing a reached one: the implementation concretized from such
 * a world must still take the model's step. They exercise the defensive parts of the implementation.
 */
class HandBuiltWorldsTest {
    private static final Geometry SMALL = new Geometry(16);
    private static final Spec SPEC = new Spec(Policies.QEMU_10_0, SMALL);

    private static World reached(Action... actions) {
        World w = World.initial(SMALL);
        for (Action a : actions) {
            Outcome o = SPEC.apply(w, a);
            assertThat(o).as(a.toString()).isInstanceOf(Outcome.Next.class);
            w = ((Outcome.Next) o).world();
        }
        return w;
    }

    /** Concretizes {@code w}, checks it abstracts back, takes {@code a} and returns the outcome after checking it. */
    private static Outcome sameStep(World w, Action a) {
        ImplSystem impl = Concretization.of(Policies.QEMU_10_0, SMALL, w, Set.of());
        assertThat(Abstraction.of(impl)).isEqualTo(w.observable());
        Outcome expected = SPEC.apply(w, a);
        Outcome actual = ImplDriver.step(impl, a);
        assertThat(actual).isEqualTo(expected.observable());
        return actual;
    }

    private static World withTargetBitmap(World w, String name, Bitmap b) {
        return w.withNode(TARGET, w.target().withBitmap(name, b));
    }

    private static final List<Action> STARTED = List.of(new BitmapAdd(SOURCE, "a", 1, false, false),
            new GuestWrite(SOURCE, 2, 1), new Launch(TARGET, true), new MigrateStart(true));

    @Test
    void anEnabledSuccessorThatRecordedIsReclaimedWithItsBitsAndEnablesTheBitmap() {
        // R9: reclaim ORs the successor into the received bits; the bitmap is enabled iff the successor was.
        World w = reached(STARTED.toArray(new Action[0]));
        Migration m = w.migration();
        w = w.withMigration(new Migration(m.phase(), m.capability(), m.handedOver(), m.sourceWasRunning(), m.riding(),
                TreeSet.empty(), m.error()));
        w = withTargetBitmap(w, "a", w.target().bitmap("a").get()
                .withSuccessor(Option.some(new Successor(true, TreeSet.of(9)))));
        Outcome o = sameStep(w, new MigrateComplete());
        Bitmap a = ((Outcome.Next) o).world().target().bitmap("a").get();
        assertThat(a.granules()).containsExactly(2, 9);
        assertThat(a.enabled()).isTrue();
    }

    @Test
    void aRidingBitmapTheTargetNoLongerHasIsSkippedAtCompletion() {
        World w = reached(STARTED.toArray(new Action[0]));
        w = w.withNode(TARGET, w.target().withoutBitmap("a"));
        Outcome o = sameStep(w, new MigrateComplete());
        assertThat(((Outcome.Next) o).world().target().bitmaps().isEmpty()).isTrue();
    }

    @Test
    void aSourceBitmapStillBusyAfterTheHandoverIsFreedAtCompletion() {
        World w = reached(new BitmapAdd(SOURCE, "a", 1, false, false), new Launch(TARGET, true),
                new MigrateStart(true), new Inactivate(SOURCE));
        w = w.withNode(SOURCE, w.source().withBitmap("a", w.source().bitmap("a").get().withBusy(true)));
        Outcome o = sameStep(w, new MigrateComplete());
        assertThat(((Outcome.Next) o).world().source().bitmap("a").get().busy()).isFalse();
    }

    @Test
    void aReadonlyBitmapOnAWritableNodeForbidsGuestWrites() {
        World w = reached(new BitmapAdd(SOURCE, "a", 1, true, false));
        w = w.withNode(SOURCE, w.source().withBitmap("a", w.source().bitmap("a").get().withReadonly(true)));
        assertThat(sameStep(w, new GuestWrite(SOURCE, 0, 1))).isEqualTo(Outcome.rejected(QemuErrors.WRITE_NOT_PERMITTED));
    }

    @Test
    void granulesOutsideTheDiskAreIgnoredEvenUnderTheZeroLengthFault() {
        // Granule 16 starts exactly at the end of the 16-cluster disk: a zero-length set there would mark granule 15
        // under H12, so concretization must not issue one.
        World w = reached(new BitmapAdd(SOURCE, "a", 1, false, false));
        w = w.withNode(SOURCE, w.source().withBitmap("a",
                w.source().bitmap("a").get().withGranules(TreeSet.of(-1, 16))));
        ImplSystem impl = Concretization.of(Policies.QEMU_10_0, SMALL, w, Set.of(Fault.HBITMAP_ZERO_LENGTH_SET));
        assertThat(Abstraction.of(impl).source().bitmap("a").get().granules()).isEmpty();
    }

    @Test
    void continuingARunningNodeActivatesItsInactiveNode() {
        // QEMU 10.0 qmp_cont: migration_block_activate() runs for every VM that is not incoming, a running one too.
        World w = World.initial(SMALL);
        Node inactive = w.source().withBlock(BlockState.INACTIVE);
        Outcome o = sameStep(w.withNode(SOURCE, inactive).withImage(w.image().withOwner(Option.none())),
                new Cont(SOURCE));
        assertThat(((Outcome.Next) o).world().source().block()).isEqualTo(BlockState.ACTIVE);
        assertThat(((Outcome.Next) o).world().image().owner()).isEqualTo(Option.some(SOURCE));
    }
}
