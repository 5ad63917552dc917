package dev.bitmig.model;

/**
 * One part of a {@link ViolationClass} signature: a slug for the name and the sentence that explains it.
 *
 * @param kind     which question the part answers (where the copy lives, who wrote, ...)
 * @param slug     the part of the class name
 * @param sentence the part of the explanation, citing QEMU's source
 */
public record ClassPart(Kind kind, String slug, String sentence) {

    /** The questions a class answers. */
    public enum Kind {
        /** Where the under-reporting copy lives. */
        COPY,
        /** Persistent or transient. */
        PERSISTENCE,
        /** Who wrote the missed clusters. */
        WRITER,
        /** In which window they were written. */
        WINDOW,
        /** How the migration ended, at the violation. */
        MIGRATION,
        /** The step that lost a bitmap. */
        STEP,
        /** Where the lost bitmap's copies were just before. */
        COPIES,
        /** The pair of writers on one image. */
        WRITERS,
        /** Which QEMU lost its disk. */
        DISK
    }
}
