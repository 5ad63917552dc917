package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.ViolationClass;
import dev.bitmig.model.ViolationClasses;
import dev.bitmig.model.World;

import java.util.function.Consumer;

/**
 * The violation classes one transition records: those of the bitmaps the step lost silently, and those of the world
 * invariants its target breaks while its source keeps them (what follows an earlier violation is not a new class).
 */
public final class StepClasses {
    private StepClasses() {
    }

    /** The classes of the step's silent losses. */
    public static void lost(World source, Action action, World target, Consumer<ViolationClass> offer) {
        if (!target.losses().isEmpty()) {
            for (ViolationClass c : ViolationClasses.lost(source, action, target)) {
                offer.accept(c);
            }
        }
    }

    /** The classes of the invariants in the target's mask and not in the source's. */
    public static void broken(int sourceMask, World target, int targetMask, Geometry g, Consumer<ViolationClass> offer) {
        int broken = targetMask & ~sourceMask;
        if (broken != 0) {
            for (Invariant inv : Masks.WORLD_INVARIANTS) {
                if ((broken & Masks.bit(inv)) != 0) {
                    for (ViolationClass c : ViolationClasses.of(inv, target, g)) {
                        offer.accept(c);
                    }
                }
            }
        }
    }
}
