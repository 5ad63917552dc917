package dev.bitmig.impl.qcow2.differential;

import java.util.Set;

/**
 * One bitmap as a reader sees an image opened read-only: its directory entry (name, granularity, the flags on disk)
 * and, when it is loaded, whether it loaded inconsistent, whether it records, how many bytes it counts as dirty
 * (granules times granularity, as QEMU's count) and the SHA-256 of its bits as QEMU's
 * x-debug-block-dirty-bitmap-sha256 computes it.
 */
record BitmapView(String name, long granularity, Set<String> flags, boolean loaded, boolean inconsistent,
        boolean recording, long count, String sha256) {

    static final String IN_USE = "in-use";
    static final String AUTO = "auto";

    BitmapView {
        flags = Set.copyOf(flags);
    }
}
