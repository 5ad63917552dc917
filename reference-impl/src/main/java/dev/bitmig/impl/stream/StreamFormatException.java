package dev.bitmig.impl.stream;

/** The incoming stream violates the format; names what was wrong and the byte offset where it was found. */
public class StreamFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Kind {
        /** The input ended inside a record or a section. */
        TRUNCATED(false),
        /** A record's flags byte has unknown bits or an impossible combination, or START has reserved flags. */
        UNKNOWN_FLAGS(false),
        /** A BITS buffer size above 10 * CHUNK_SIZE (QEMU: -EIO, "buffer allocation request is too large"). */
        BUFFER_TOO_LARGE(false),
        /** A BITS buffer size that does not match the bitmap's serialization size for that chunk. */
        GRANULARITY_MISMATCH(true),
        /** A node (device) name the destination does not have. */
        UNKNOWN_NODE(true),
        /** BITS or COMPLETE for a bitmap that was never started. */
        UNKNOWN_BITMAP(true),
        /** A second START for a bitmap (QEMU: "Bitmap with the same name ... already exists on destination"). */
        DUPLICATE_BITMAP(false),
        /** BITS or COMPLETE after the bitmap's COMPLETE. */
        BITMAP_ALREADY_COMPLETE(false),
        /** A record that needs a node and bitmap before any name was sent, or a node change without a bitmap name. */
        MISSING_NAME(false),
        /** An empty name. */
        BAD_NAME(false),
        /** A START granularity that is not a power of two in [512, 2^31]. */
        BAD_GRANULARITY(false),
        /** A BITS chunk that is empty, misaligned or outside the bitmap. */
        BAD_CHUNK(false);

        private final boolean cancelsBitmapMigrationOnly;

        Kind(boolean cancelsBitmapMigrationOnly) {
            this.cancelsBitmapMigrationOnly = cancelsBitmapMigrationOnly;
        }

        /**
         * Whether current QEMU (since "relax error handling in incoming part") reacts by dropping the incoming bitmaps
         * and carrying on with the migration, rather than failing the migration.
         */
        public boolean cancelsBitmapMigrationOnly() {
            return cancelsBitmapMigrationOnly;
        }
    }

    private final Kind kind;
    private final long offset;

    public StreamFormatException(Kind kind, long offset, String message) {
        super(kind + " at byte " + offset + ": " + message);
        this.kind = kind;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    /** Offset of the offending byte (or of the start of the offending field) in the decoded input. */
    public long offset() {
        return offset;
    }
}
