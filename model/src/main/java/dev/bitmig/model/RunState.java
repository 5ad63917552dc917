package dev.bitmig.model;

/** QEMU's run state of a node (qapi/run-state.json), reduced to the states that matter for bitmaps. */
public enum RunState {
    /** No QEMU process. */
    OFF,
    /** Started with {@code -incoming}, waiting for the migration stream. */
    INMIGRATE,
    RUNNING,
    PAUSED,
    /** The source after a completed migration. */
    POSTMIGRATE
}
