package dev.bitmig.live;

import java.util.List;

/**
 * A bitmap directory entry of a qcow2 image as reported by {@code qemu-img info -U --output=json}.
 *
 * @param name        bitmap name
 * @param granularity bytes per bit
 * @param flags       QEMU's flag names, e.g. {@code in-use}, {@code auto}
 */
public record ImageBitmap(String name, long granularity, List<String> flags) {
    public ImageBitmap {
        flags = List.copyOf(flags);
    }

    public boolean inUse() { return flags.contains("in-use"); }

    public boolean auto() { return flags.contains("auto"); }
}
