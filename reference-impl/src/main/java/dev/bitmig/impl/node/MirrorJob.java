package dev.bitmig.impl.node;

import dev.bitmig.impl.hbitmap.HBitmap;

/**
 * An active mirror job (block/mirror.c MirrorBlockJob, copy-mode=write-blocking) and its internal, anonymous dirty
 * bitmap: a set granule is one the job still has to copy. Mutable.
 */
public final class MirrorJob {
    private final long granularityBytes;
    private final HBitmap bits;

    public MirrorJob(long granularityBytes, HBitmap bits) {
        this.granularityBytes = granularityBytes;
        this.bits = bits;
    }

    /** mirror_dirty_init for sync=full: the whole disk is to copy. */
    public static MirrorJob full(long granularityBytes, HBitmap empty) {
        empty.set(0, empty.size());
        return new MirrorJob(granularityBytes, empty);
    }

    public MirrorJob copy() {
        return new MirrorJob(granularityBytes, bits.copy());
    }

    public long granularityBytes() {
        return granularityBytes;
    }

    public HBitmap bits() {
        return bits;
    }

    /**
     * do_sync_target_write: the write reached both images, so the granules it covers wholly are clean. Since QEMU 4.2
     * the range is aligned inward before the reset; before that ({@code unaligned}, QEMU bug H11) the raw range went
     * to hbitmap_reset, which rounded it outward and also cleared neighbouring granules that still had to be copied.
     */
    public void activeWrite(long offset, long bytes, boolean unaligned) {
        if (unaligned) {
            bits.reset(offset, bytes);
            return;
        }
        long start = (offset + granularityBytes - 1) / granularityBytes * granularityBytes;
        long end = (offset + bytes) / granularityBytes * granularityBytes;
        if (start < end) {
            bits.reset(start, end - start);
        }
    }

    /** mirror_iteration: the first dirty granule is reset and copied. Returns false when nothing is left to copy. */
    public boolean copyNext() {
        long first = bits.nextDirty(0, bits.size());
        if (first < 0) {
            return false;
        }
        long start = first / granularityBytes * granularityBytes;
        bits.reset(start, Math.min(granularityBytes, bits.size() - start));
        return true;
    }
}
