package dev.bitmig.impl.stream;

import dev.bitmig.impl.hbitmap.HBitmap;

/**
 * A bitmap as received: its START attributes, its contents and whether COMPLETE was seen. The contents of an
 * incomplete bitmap are partial (upper levels and count are only rebuilt at COMPLETE).
 */
public record DecodedBitmap(BitmapId id, long granularityBytes, boolean enabled, boolean persistent, HBitmap bits,
        boolean complete) {}
