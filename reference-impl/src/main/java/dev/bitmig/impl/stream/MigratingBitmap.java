package dev.bitmig.impl.stream;

import dev.bitmig.impl.hbitmap.HBitmap;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A bitmap to send: the node (or device) name and bitmap name as they appear in the stream, its granularity in bytes,
 * its flags, its contents (items are bytes of the disk) and the disk size in bytes.
 */
public record MigratingBitmap(
        String nodeName, String bitmapName, long granularityBytes, boolean enabled, boolean persistent,
        HBitmap bits, long diskSizeBytes) {

    public MigratingBitmap {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(bitmapName, "bitmapName");
        Objects.requireNonNull(bits, "bits");
        checkName("node name", nodeName);
        checkName("bitmap name", bitmapName);
        if (!StreamFormat.validGranularity(granularityBytes)) {
            throw new IllegalArgumentException("granularity " + granularityBytes
                    + " is not a power of two between 512 bytes and 2 GiB");
        }
        if (bits.granularity() != Long.numberOfTrailingZeros(granularityBytes)) {
            throw new IllegalArgumentException("bitmap '" + bitmapName + "' has granularity shift "
                    + bits.granularity() + " but granularity " + granularityBytes + " bytes was given");
        }
        if (diskSizeBytes < 0 || bits.size() != diskSizeBytes) {
            throw new IllegalArgumentException("bitmap '" + bitmapName + "' covers " + bits.size()
                    + " bytes but the disk has " + diskSizeBytes);
        }
    }

    /** The usual case: the granularity and disk size are those of the bitmap. */
    public static MigratingBitmap of(String nodeName, String bitmapName, boolean enabled, boolean persistent,
            HBitmap bits) {
        return new MigratingBitmap(nodeName, bitmapName, 1L << bits.granularity(), enabled, persistent, bits,
                bits.size());
    }

    public BitmapId id() {
        return new BitmapId(nodeName, bitmapName);
    }

    private static void checkName(String what, String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > StreamFormat.MAX_NAME_BYTES) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1 to 255 bytes of UTF-8, not " + bytes);
        }
    }
}
