package dev.bitmig.impl.policy;

import dev.bitmig.check.Abstraction;
import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Action.BitmapAdd;
import dev.bitmig.model.Action.ForeignWrite;
import dev.bitmig.model.Action.Launch;
import dev.bitmig.model.Action.Quit;
import dev.bitmig.model.Action.Writer;
import dev.bitmig.model.Policies;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.bitmig.impl.policy.PolicyRuns.seq;
import static dev.bitmig.model.NodeId.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

/** R12: after a tool without bitmap support cleared the autoclear bit, an open sees no bitmaps (qcow2_do_open). */
class UnawareWriterTest {
    private static List<Action> storedThenForeignWritten(Launch open) {
        return seq(new BitmapAdd(SOURCE, "a", 1, true, false), new Quit(SOURCE),
                new ForeignWrite(Writer.UNAWARE, 0, 1), open);
    }

    @Test
    void aReadWriteOpenRewritesTheDirectoryEmpty() {
        ImplSystem impl = PolicyRuns.agreeing(Policies.QEMU_10_0, storedThenForeignWritten(new Launch(SOURCE, false)));
        assertThat(Abstraction.of(impl).image().directory().isEmpty()).isTrue();
        assertThat(Abstraction.of(impl).source().bitmaps().isEmpty()).isTrue();
    }

    @Test
    void aReadOnlyOpenLoadsNothingAndLeavesTheDirectory() {
        ImplSystem impl = PolicyRuns.agreeing(Policies.QEMU_10_0,
                storedThenForeignWritten(new Launch(SOURCE, false, true)));
        assertThat(Abstraction.of(impl).image().directory().keySet().toJavaList()).containsExactly("a");
        assertThat(Abstraction.of(impl).source().bitmaps().isEmpty()).isTrue();
    }
}
