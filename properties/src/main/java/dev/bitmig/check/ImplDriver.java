package dev.bitmig.check;

import dev.bitmig.impl.ImplSystem;
import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.World;
import dev.bitmig.model.scenario.Driver;

/**
 * The implementation behind the model's {@link Driver} interface: an accepted action answers the {@link Abstraction}
 * of the state it left, a rejected one QEMU's error text.
 */
public record ImplDriver(ImplSystem impl) implements Driver {

    /** One action on the implementation, answered as the model answers. */
    public static Outcome step(ImplSystem impl, Action action) {
        ImplSystem.Reply reply = impl.apply(action);
        if (reply.error().isEmpty()) return Outcome.next(Abstraction.of(impl));
        return reply.changed() ? Outcome.failed(Abstraction.of(impl), reply.error().get())
                : Outcome.rejected(reply.error().get());
    }

    @Override
    public Outcome step(Action action) {
        return step(impl, action);
    }

    @Override
    public World world() {
        return Abstraction.of(impl);
    }
}
