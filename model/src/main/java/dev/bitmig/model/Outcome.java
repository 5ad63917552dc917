package dev.bitmig.model;

/** The result of applying an action: the next world, or a rejection carrying QEMU's error text. */
public sealed interface Outcome {

    record Next(World world) implements Outcome { }

    record Rejected(String reason) implements Outcome { }

    static Outcome next(World w) {
        return new Next(w);
    }

    static Outcome rejected(String reason) {
        return new Rejected(reason);
    }

    default boolean isRejected() {
        return this instanceof Rejected;
    }
}
