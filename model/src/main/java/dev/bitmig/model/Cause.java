package dev.bitmig.model;

/** Why a persistent bitmap disappeared or turned inconsistent. All but SILENT are causes the user can see. */
public enum Cause {
    /** block-dirty-bitmap-remove. */
    REMOVED,
    /** kill -9: IN_USE entries stay behind and load as inconsistent (qcow2-bitmap.c). */
    CRASH,
    /** A bitmap-unaware writer cleared autoclear bit 0; the next open drops every bitmap with a warning. */
    UNAWARE_WRITER,
    /** A drop that the policy documents. */
    POLICY_DROP,
    /** "Lost persistent bitmaps during inactivation": the store failed with an error message. */
    STORE_FAILED,
    /**
     * A reactivation failed in the driver and the node lost its medium: QEMU reported "Could not reopen qcow2 layer"
     * (to the command, or on stderr when a migration's end activated it).
     */
    MEDIUM_LOST,
    /** No cause the user can see. */
    SILENT
}
