package dev.bitmig.impl.stream;

/** Seeded faults of the stream encoder, selected by name by the checker. */
public enum StreamFault {
    /**
     * QEMU bug H10 (fixed by "migration/block-dirty-bitmap: fix larger granularity bitmaps"): sectors per chunk computed
     * in 32 bits overflowed to 0 for coarse granularities, and the source sent zero-length chunks forever.
     */
    CHUNK_SIZE_32BIT_OVERFLOW
}
