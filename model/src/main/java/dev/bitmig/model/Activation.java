package dev.bitmig.model;

/**
 * What an attempt to activate a node gives (block.c bdrv_activate): the node took the image back; the attempt was
 * refused before the driver reopened (image locking), and nothing changed; or the driver's reopen failed and the node
 * lost its medium (block/qcow2.c qcow2_co_invalidate_cache sets bs->drv = NULL).
 */
sealed interface Activation {

    record Active(World world) implements Activation { }

    record Refused(String reason) implements Activation { }

    record Ejected(World world, String reason) implements Activation { }

    /** The step's outcome when the activation is the whole effect. */
    default Outcome outcome() {
        if (this instanceof Active a) return Outcome.next(a.world());
        if (this instanceof Ejected e) return Outcome.failed(e.world(), e.reason());
        return Outcome.rejected(((Refused) this).reason());
    }

    /** The world after the attempt: unchanged when refused. */
    default World worldOr(World unchanged) {
        if (this instanceof Active a) return a.world();
        if (this instanceof Ejected e) return e.world();
        return unchanged;
    }

    default boolean isActive() {
        return this instanceof Active;
    }
}
