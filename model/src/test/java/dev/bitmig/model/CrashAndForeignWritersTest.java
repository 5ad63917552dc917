package dev.bitmig.model;

import org.junit.jupiter.api.Test;

import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** What kill -9 and writers outside QEMU leave behind (notes §2.5, §4; R5, R12). */
class CrashAndForeignWritersTest {
    private static final Geometry G = new Geometry(4);
    private static final Spec SPEC = new Spec(Policies.QEMU_10_0, G);

    private static World run(World w, Action... actions) {
        for (Action a : actions) {
            Outcome o = SPEC.apply(w, a);
            assertThat(o).as("step %s", a).isInstanceOf(Outcome.Next.class);
            w = ((Outcome.Next) o).world();
        }
        return w;
    }

    /** Persistent bitmap a, stored and loaded again: the image holds an IN_USE entry. */
    private static World loaded() {
        return run(World.initial(G), new Action.BitmapAdd(SOURCE, "a", 1, true, false),
                new Action.GuestWrite(SOURCE, 0, 1), new Action.Quit(SOURCE), new Action.Launch(SOURCE, false));
    }

    @Test
    void aLoadedBitmapIsInUseOnTheImageWhileQemuRuns() {
        assertThat(loaded().image().directory().get("a").get().inUse()).isTrue();
    }

    @Test
    void aCrashLeavesAnInUseEntryThatLoadsAsInconsistent() {
        World w = run(loaded(), new Action.Crash(SOURCE), new Action.Launch(SOURCE, false));
        Bitmap a = w.source().bitmap("a").get();
        assertThat(a.inconsistent()).isTrue();
        assertThat(a.enabled()).isFalse();
    }

    @Test
    void aCrashIsAVisibleCauseForTheLoss() {
        World w = run(loaded(), new Action.Crash(SOURCE));
        assertThat(w.losses().map(Loss::cause).toJavaList()).containsExactly(Cause.CRASH);
        assertThat(Invariant.NO_SILENT_LOSS.holds(w, G)).isTrue();
    }

    @Test
    void anInconsistentBitmapCanOnlyBeRemoved() {
        World w = run(loaded(), new Action.Crash(SOURCE), new Action.Launch(SOURCE, false));
        String inconsistent = "Bitmap 'a' is inconsistent and cannot be used";
        assertThat(SPEC.apply(w, new Action.BitmapClear(SOURCE, "a"))).isEqualTo(Outcome.rejected(inconsistent));
        assertThat(SPEC.apply(w, new Action.BitmapEnable(SOURCE, "a"))).isEqualTo(Outcome.rejected(inconsistent));
        assertThat(SPEC.apply(w, new Action.BitmapAdd(SOURCE, "a", 1, true, false)))
                .isEqualTo(Outcome.rejected("Bitmap already exists: a"));
        World removed = run(w, new Action.BitmapRemove(SOURCE, "a"));
        assertThat(removed.image().directory().containsKey("a")).isFalse();
    }

    @Test
    void aBitmapUnawareWriterMakesTheNextOpenDropEveryBitmap() {
        World w = run(loaded(), new Action.Quit(SOURCE), new Action.ForeignWrite(Action.Writer.UNAWARE, 2, 1));
        assertThat(w.image().autoclear()).isFalse();
        assertThat(w.losses().map(Loss::cause).toJavaList()).containsExactly(Cause.UNAWARE_WRITER);
        World reopened = run(w, new Action.Launch(SOURCE, false));
        assertThat(reopened.source().bitmaps().isEmpty()).isTrue();
        assertThat(reopened.image().directory().isEmpty()).isTrue();
    }

    @Test
    void aBitmapAwareToolRecordsIntoTheEnabledStoredBitmaps() {
        World w = run(loaded(), new Action.Quit(SOURCE), new Action.ForeignWrite(Action.Writer.AWARE, 3, 1),
                new Action.Launch(SOURCE, false));
        assertThat(w.source().bitmap("a").get().granules().toJavaList()).containsExactly(0, 3);
        assertThat(Invariant.NO_UNDER_REPORT.holds(w, G)).isTrue();
    }

    @Test
    void aToolCannotWriteWhileQemuHoldsTheImage() {
        assertThat(SPEC.apply(loaded(), new Action.ForeignWrite(Action.Writer.AWARE, 0, 1)))
                .isEqualTo(Outcome.rejected("Failed to get \"write\" lock"));
    }

    @Test
    void aSecondQemuCannotOpenTheImageReadWriteWhileTheFirstHoldsIt() {
        assertThat(SPEC.apply(loaded(), new Action.Launch(NodeId.TARGET, false)))
                .isEqualTo(Outcome.rejected("Failed to get \"write\" lock"));
    }

    @Test
    void aBitmapThatWasOnlyAddedIsSimplyLostByACrash() {
        World w = run(World.initial(G), new Action.BitmapAdd(SOURCE, "n", 1, true, false), new Action.Crash(SOURCE),
                new Action.Launch(SOURCE, false));
        assertThat(w.source().bitmaps().isEmpty()).isTrue();
        assertThat(w.image().directory().isEmpty()).isTrue();
    }

    @Test
    void aBitmapAwareToolLeavesInUseAndDisabledEntriesAlone() {
        // It loads an IN_USE entry as inconsistent and a disabled one (AUTO clear) does not record.
        World crashed = run(loaded(), new Action.Crash(SOURCE), new Action.ForeignWrite(Action.Writer.AWARE, 3, 1));
        assertThat(crashed.image().directory().get("a").get().granules().toJavaList()).containsExactly(0);
        World disabled = run(World.initial(G), new Action.BitmapAdd(SOURCE, "d", 1, true, true), new Action.Quit(SOURCE),
                new Action.ForeignWrite(Action.Writer.AWARE, 3, 1));
        assertThat(disabled.image().directory().get("d").get().auto()).isFalse();
        assertThat(disabled.image().directory().get("d").get().granules().isEmpty()).isTrue();
    }
}
