package dev.bitmig.live;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An asynchronous QMP event.
 *
 * @param name            event name, e.g. {@code MIGRATION}
 * @param data            the {@code data} member (an empty object when absent)
 * @param timestampMicros QEMU's timestamp in microseconds since the epoch
 */
public record QmpEvent(String name, ObjectNode data, long timestampMicros) {
    /** Shortcut for a text member of {@code data}, or null. */
    public String dataText(String field) {
        return data.hasNonNull(field) ? data.get(field).asText() : null;
    }
}
