package dev.bitmig.impl.stream;

/** One decoded record, with the byte offset at which it starts. */
public sealed interface StreamEvent {
    long offset();

    record Start(long offset, BitmapId bitmap, long granularityBytes, boolean enabled, boolean persistent)
            implements StreamEvent {}

    /** A chunk; {@code bufferSize} is 0 for ZEROES records. */
    record Bits(long offset, BitmapId bitmap, long startSector, long nrSectors, boolean zeroes, long bufferSize)
            implements StreamEvent {}

    record Complete(long offset, BitmapId bitmap) implements StreamEvent {}

    record EndOfSection(long offset) implements StreamEvent {}
}
