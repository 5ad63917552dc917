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
        if (model instanceof Outcome.Failed m || impl instanceof Outcome.Failed) {
            if (!(model instanceof Outcome.Failed) || !(impl instanceof Outcome.Failed)) {
                return Option.some(action + ": the model says " + said(model) + " but the implementation " + said(impl));
            }
            if (!model.error().equals(impl.error())) {
                return Option.some(action + ": the model fails with \"" + model.error().get()
                        + "\" but the implementation with \"" + impl.error().get() + "\"");
            }
        }
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
        World expected = model.successor().get().observable();
        World actual = implWorld.observable();
        return expected.equals(actual) ? Option.none()
                : Option.some(action + ": states differ: " + WorldDiff.between(expected, actual));
    }

    /**
     * NoSilentLoss counts a failed store as seen because QEMU prints "Lost persistent bitmaps ..." (block/qcow2.c
     * qcow2_inactivate): when the model's step loses a bitmap that way, the implementation must have printed it.
     */
    public static Option<String> told(Action action, Outcome model, java.util.List<String> printed) {
        if (model.successor().isEmpty()) {
            return Option.none();
        }
        for (dev.bitmig.model.Loss l : model.successor().get().losses()) {
            if (l.cause() == dev.bitmig.model.Cause.STORE_FAILED
                    && printed.stream().noneMatch(p -> p.startsWith("Lost persistent bitmaps"))) {
                return Option.some(action + ": the store of bitmap '" + l.bitmap() + "' failed and QEMU prints \"Lost "
                        + "persistent bitmaps ...\", but the implementation printed " + (printed.isEmpty() ? "nothing"
                        : printed));
            }
        }
        return Option.none();
    }

    private static String said(Outcome o) {
        if (o instanceof Outcome.Failed f) return "fails (and changes the state) with \"" + f.reason() + "\"";
        if (o instanceof Outcome.Rejected r) return "rejects with \"" + r.reason() + "\"";
        return "accepts";
    }
}
