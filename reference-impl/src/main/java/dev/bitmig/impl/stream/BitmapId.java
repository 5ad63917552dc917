package dev.bitmig.impl.stream;

/** A bitmap as the stream addresses it: node (or device) name and bitmap name. */
public record BitmapId(String node, String name) {
    @Override
    public String toString() {
        return node + "/" + name;
    }
}
