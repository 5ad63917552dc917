package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.World;
import io.vavr.control.Option;

/** Do the model and the implementation agree on one step? The first difference, in words. */
public final class Agreement {
    private Agreement() {
    }

    public static Option<String> compare(Action action, Outcome model, Outcome impl, World implWorld) {
        if (model instanceof Outcome.Rejected m) {
            if (impl instanceof Outcome.Rejected i) {
                return m.reason().equals(i.reason()) ? Option.none()
                        : Option.some(action + ": the model rejects with \"" + m.reason()
                        + "\" but the implementation with \"" + i.reason() + "\"");
            }
            return Option.some(action + ": the model rejects with \"" + m.reason() + "\" but the implementation accepts");
        }
        if (impl instanceof Outcome.Rejected i) {
            return Option.some(action + ": the model accepts but the implementation rejects with \"" + i.reason() + "\"");
        }
        World expected = ((Outcome.Next) model).world().observable();
        World actual = implWorld.observable();
        return expected.equals(actual) ? Option.none()
                : Option.some(action + ": states differ: " + WorldDiff.between(expected, actual));
    }
}
