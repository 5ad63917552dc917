package dev.bitmig.impl.store;

/**
 * A qcow2 bitmap directory entry: granularity in bytes, flags IN_USE and AUTO, and the bitmap data as the serialized
 * HBitmap (the last-level words, little-endian).
 */
public record StoredEntry(long granularityBytes, boolean inUse, boolean auto, byte[] data) {
    public StoredEntry withInUse(boolean u) {
        return new StoredEntry(granularityBytes, u, auto, data);
    }

    public StoredEntry withData(byte[] d) {
        return new StoredEntry(granularityBytes, inUse, auto, d);
    }
}
