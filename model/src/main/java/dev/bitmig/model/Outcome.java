package dev.bitmig.model;

/**
 * The result of applying an action: the next world; a rejection carrying QEMU's error text, which changed nothing;
 * or a failure that QEMU reports and that changed the world all the same (a failed reactivation ejects the node).
 */
public sealed interface Outcome {

    record Next(World world) implements Outcome { }

    record Rejected(String reason) implements Outcome { }

    record Failed(World world, String reason) implements Outcome { }

    static Outcome failed(World w, String reason) {
        return new Failed(w, reason);
    }

    /** The world after the step, for a step that changed it or could have (Next and Failed). */
    default io.vavr.control.Option<World> successor() {
        if (this instanceof Next n) return io.vavr.control.Option.some(n.world());
        if (this instanceof Failed f) return io.vavr.control.Option.some(f.world());
        return io.vavr.control.Option.none();
    }

    /** The same outcome with its world cut down to what QEMU could show ({@link World#observable()}). */
    default Outcome observable() {
        if (this instanceof Next n) return next(n.world().observable());
        if (this instanceof Failed f) return failed(f.world().observable(), f.reason());
        return this;
    }

    /** QEMU's error text, for a rejection or a failure. */
    default io.vavr.control.Option<String> error() {
        if (this instanceof Rejected r) return io.vavr.control.Option.some(r.reason());
        if (this instanceof Failed f) return io.vavr.control.Option.some(f.reason());
        return io.vavr.control.Option.none();
    }

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
