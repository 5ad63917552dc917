package dev.bitmig.live;

/**
 * One dirty bitmap as listed by {@code query-named-block-nodes} / {@code query-block}.
 *
 * @param node         node name the bitmap belongs to
 * @param name         bitmap name (empty for anonymous bitmaps, e.g. migration successors)
 * @param count        number of dirty bytes
 * @param granularity  bytes per bit
 * @param recording    whether guest writes are recorded
 * @param persistent   whether the bitmap is to be stored in the qcow2 image
 * @param busy         whether the bitmap is in use by an operation (e.g. migration)
 * @param inconsistent whether the bitmap was found IN_USE on load (QEMU only reports this when true)
 */
public record BitmapInfo(String node, String name, long count, long granularity, boolean recording,
                         boolean persistent, boolean busy, boolean inconsistent) {
}
