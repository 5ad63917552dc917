package dev.bitmig.impl;

import dev.bitmig.check.Abstraction;
import dev.bitmig.check.Concretization;
import dev.bitmig.check.ImplDriver;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.ForeignWrite;
import dev.bitmig.model.Action.GuestWrite;
import dev.bitmig.model.Action.Inactivate;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.MigrateCancel;
import dev.bitmig.model.Action.MigrateStart;
import dev.bitmig.model.Action.MirrorCancel;
import dev.bitmig.model.Action.MirrorCopy;
import dev.bitmig.model.Action.MirrorStart;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.model.World;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.bitmig.model.NodeId.SOURCE;
import static dev.bitmig.model.NodeId.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

/** The implementation's mirror job follows the model step by step: its bitmap, its rejections, its end. */
class MirrorOnImplTest {
    private static final Geometry G = new Geometry(5);

    private static List<Action> seq(Action... actions) {
        return Arrays.asList(actions);
    }

    private static Lockstep agreeing(List<Action> actions) {
        Lockstep l = new Lockstep(Policies.QEMU_10_0, G, Set.of());
        assertThat(l.run(actions)).isNull();
        return l;
    }

    @Test
    void activeWritesAndCopiesCleanTheSameGranulesAsTheModel() {
        Lockstep l = agreeing(seq(new MirrorStart(SOURCE, 2), new GuestWrite(SOURCE, 1, 2), new GuestWrite(SOURCE, 2, 2),
                new MirrorCopy(SOURCE), new GuestWrite(SOURCE, 4, 1), new MirrorCopy(SOURCE), new MirrorCopy(SOURCE)));
        assertThat(Abstraction.of(l.impl).source().mirror().get()).isEqualTo(new Mirror(2, io.vavr.collection.TreeSet.empty(), 0));
    }

    @Test
    void mirrorCommandsAreRefusedWithTheModelsErrors() {
        Lockstep l = agreeing(seq(new MirrorStart(SOURCE, 3), new MirrorStart(SOURCE, 0),
                new MirrorStart(SOURCE, Mirror.MAX_GRANULARITY * 2), new MirrorCopy(SOURCE), new MirrorCancel(SOURCE),
                new MirrorStart(TARGET, 1), new MirrorCopy(TARGET), new MirrorCancel(TARGET),
                new MirrorStart(SOURCE, 1), new MirrorStart(SOURCE, 1), new MirrorCancel(SOURCE),
                new MirrorStart(SOURCE, Mirror.MAX_GRANULARITY), new MirrorCancel(SOURCE), new MirrorStart(SOURCE, 1)));
        assertThat(ImplDriver.step(l.impl, new MirrorStart(SOURCE, 2)))
                .isEqualTo(Outcome.rejected(QemuErrors.NODE_BUSY_WITH_JOB));
        assertThat(ImplDriver.step(l.impl, new MirrorCopy(TARGET))).isEqualTo(Outcome.rejected(QemuErrors.notRunning(TARGET)));
    }

    @Test
    void anInactiveNodeStartsNoMirrorButAStartedJobKeepsCopying() {
        Lockstep l = agreeing(seq(new Launch(TARGET, true), new MirrorStart(SOURCE, 1), new MigrateStart(false),
                new Inactivate(SOURCE), new MirrorCopy(SOURCE), new ForeignWrite(Action.Writer.AWARE, 0, 1),
                new MirrorCancel(SOURCE), new MirrorStart(SOURCE, 1)));
        assertThat(Abstraction.of(l.impl).source().mirror().isEmpty()).isTrue();
        assertThat(ImplDriver.step(l.impl, new MirrorStart(SOURCE, 1))).isEqualTo(Outcome.rejected(QemuErrors.NODE_INACTIVE));
        assertThat(l.run(seq(new MigrateCancel(), new MirrorStart(SOURCE, 4), new Quit(SOURCE)))).isNull();
        assertThat(Abstraction.of(l.impl).source().mirror().isEmpty()).isTrue();
    }

    @Test
    void aWorldWithAMirrorJobConcretizesAndAbstractsBack() {
        Lockstep l = agreeing(seq(new MirrorStart(SOURCE, 2), new MirrorCopy(SOURCE)));
        World w = l.world;
        ImplSystem again = Concretization.of(Policies.QEMU_10_0, G, w, Set.of());
        assertThat(Abstraction.of(again)).isEqualTo(w.observable());
        assertThat(Abstraction.of(again).source().mirror().get().granules()).containsExactly(1, 2);
        ImplDriver.step(again, new GuestWrite(SOURCE, 2, 2));
        assertThat(Abstraction.of(again).source().mirror().get().granules()).containsExactly(2);
    }
}
