package dev.bitmig.spark;

import dev.bitmig.check.Findings;
import dev.bitmig.check.Masks;
import dev.bitmig.check.StepClasses;
import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.ViolationClass;
import dev.bitmig.model.World;
import io.vavr.collection.List;

import java.util.HashMap;
import java.util.Map;

/**
 * On the driver: which violation classes each candidate path records, worked out again by re-running it, and per
 * class the smallest of the candidates. The executors send, per partition, the smallest candidate of every class they
 * met, so the smallest of these per class is the smallest over the whole level.
 */
final class ClassReplay {
    private final Spec spec;
    private final Action[] actions;
    private final List<World> initials;

    ClassReplay(Spec spec, Action[] actions, List<World> initials) {
        this.spec = spec;
        this.actions = actions;
        this.initials = initials;
    }

    Map<ViolationClass, byte[]> smallestPerClass(PathBlock candidates) {
        Map<ViolationClass, byte[]> smallest = new HashMap<>();
        for (int i = 0; i < candidates.size; i++) {
            byte[] p = candidates.path(i);
            Findings.Route r = StatePath.route(p, actions);
            World w = initials.get(r.initial());
            for (Action a : r.prefix()) {
                w = spec.apply(w, a).successor().get();
            }
            World source = w;
            World target = spec.apply(source, r.last()).successor().get();
            java.util.function.Consumer<ViolationClass> offer = c -> smallest.merge(c, p,
                    (x, y) -> StatePath.compare(x, 0, y, 0, x.length) <= 0 ? x : y);
            StepClasses.lost(source, r.last(), target, offer);
            StepClasses.broken(Masks.of(source, spec.geometry()), target, Masks.of(target, spec.geometry()),
                    spec.geometry(), offer);
        }
        return smallest;
    }
}
