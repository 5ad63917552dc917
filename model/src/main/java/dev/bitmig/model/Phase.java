package dev.bitmig.model;

/** query-migrate status, reduced: none, active (setup to completion), completed, failed or cancelled. */
public enum Phase {
    NONE, ACTIVE, COMPLETED, FAILED, CANCELLED
}
