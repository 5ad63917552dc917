package dev.bitmig.model;

import io.vavr.collection.List;

import static dev.bitmig.model.ClassPart.Kind.COPY;
import static dev.bitmig.model.ClassPart.Kind.MIGRATION;
import static dev.bitmig.model.ClassPart.Kind.PERSISTENCE;
import static dev.bitmig.model.ClassPart.Kind.WINDOW;
import static dev.bitmig.model.ClassPart.Kind.WRITER;

/** The vocabulary of violation classes: each part's slug and the sentence that explains it, with its QEMU source. */
final class ClassText {
    private ClassText() {
    }

    // ---------------------------------------------------------------- NoUnderReport

    /** Where the under-reporting copy lives. */
    static ClassPart copyInRam(NodeId node) {
        return node == NodeId.SOURCE
                ? new ClassPart(COPY, "source-ram", "The copy that under-reports is the source QEMU's bitmap in RAM "
                + "(BdrvDirtyBitmap, block/dirty-bitmap.c); it records only writes through the source's own block layer "
                + "while it is enabled (bdrv_set_dirty, block/io.c).")
                : new ClassPart(COPY, "target-ram", "The copy that under-reports is the target QEMU's bitmap in RAM, which "
                + "arrived through the migration stream or was loaded from the image (dirty_bitmap_load_bits, "
                + "migration/block-dirty-bitmap.c; qcow2_load_dirty_bitmaps, block/qcow2-bitmap.c); it records only the "
                + "target's own writes.");
    }

    static ClassPart copyOnImage() {
        return new ClassPart(COPY, "image-entry", "The copy that under-reports is an entry of the qcow2 bitmap directory "
                + "without IN_USE, which the next open loads as a consistent bitmap (docs/interop/qcow2.txt; "
                + "qcow2_load_dirty_bitmaps, block/qcow2-bitmap.c): nothing written after it was stored reaches it.");
    }

    static ClassPart copyInMirrorJob(NodeId node) {
        return new ClassPart(COPY, node.lower() + "-mirror-job", "The copy that under-reports is the anonymous dirty "
                + "bitmap of the active mirror job on the " + node.lower() + " (s->dirty_bitmap, block/mirror.c), "
                + "which says what the job still has to copy.");
    }

    static ClassPart persistence(boolean persistent) {
        return persistent
                ? new ClassPart(PERSISTENCE, "persistent", "It is persistent: QEMU stores it in the image when the node "
                + "inactivates or closes (qcow2_store_persistent_dirty_bitmaps, block/qcow2-bitmap.c).")
                : new ClassPart(PERSISTENCE, "transient", "It is transient: it lives only in this QEMU's RAM.");
    }

    /** Who wrote the missed clusters, said from the copy's point of view ({@code here} is null for an image entry). */
    static ClassPart writer(Origin.Author author, NodeId here) {
        return switch (author) {
            case SOURCE_GUEST, TARGET_GUEST -> {
                NodeId writer = author == Origin.Author.SOURCE_GUEST ? NodeId.SOURCE : NodeId.TARGET;
                if (here == null) {
                    yield new ClassPart(WRITER, writer.lower() + "-guest", "The missed clusters were last written by the "
                            + writer.lower() + " QEMU's guest (bdrv_co_pwritev, block/io.c).");
                }
                yield writer == here
                        ? new ClassPart(WRITER, "own-guest", "The missed clusters were last written by this QEMU's own "
                        + "guest (bdrv_co_pwritev, block/io.c), at a moment the bitmap did not record.")
                        : new ClassPart(WRITER, "other-guest", "The missed clusters were last written by the other "
                        + "QEMU's guest, through a block layer this bitmap is not part of (block/io.c).");
            }
            case AWARE_TOOL -> new ClassPart(WRITER, "aware-tool", "The missed clusters were last written by a "
                    + "bitmap-aware tool (qemu-img, qemu-io) while no QEMU held the image; such a tool records only into "
                    + "the enabled persistent entries it loads itself (block/qcow2-bitmap.c).");
            case UNAWARE_TOOL -> new ClassPart(WRITER, "unaware-tool", "The missed clusters were last written by a tool "
                    + "without bitmap support, which clears autoclear bit 0 before it writes (docs/interop/qcow2.txt, "
                    + "autoclear features).");
            case MIRROR_START -> new ClassPart(WRITER, "mirror-start", "The missed clusters are ones the mirror job had "
                    + "to copy from its start (mirror_dirty_init, block/mirror.c).");
        };
    }

    /** When they were written: this node's state then (or who held the image), and the migration's stage then. */
    static ClassPart window(Origin o, NodeId here) {
        String node;
        String nodeSentence;
        if (here == null) {
            node = o.source() == Origin.Presence.ACTIVE ? "source-active"
                    : o.target() == Origin.Presence.ACTIVE ? "target-active" : "no-qemu-active";
            nodeSentence = switch (node) {
                case "source-active" -> "while the source QEMU held the image";
                case "target-active" -> "while the target QEMU held the image";
                default -> "while no QEMU held the image active";
            };
        } else {
            Origin.Presence p = o.of(here);
            node = "this-" + p.name().toLowerCase(java.util.Locale.ROOT);
            nodeSentence = switch (p) {
                case DOWN -> "while this QEMU was not running, so nothing in its RAM could record";
                case INACTIVE -> "while this node was inactive (BDRV_O_INACTIVE, bdrv_inactivate_all in block.c), "
                        + "when it neither writes nor records";
                case ACTIVE -> "while this node was active but the bitmap did not record (disabled, or busy with a "
                        + "successor that was not enabled, block/dirty-bitmap.c)";
            };
        }
        return new ClassPart(WINDOW, node + "@" + stageSlug(o.stage()),
                "They were written " + nodeSentence + ", " + stageWords(o.stage()) + ".");
    }

    static String stageSlug(Origin.Stage s) {
        return switch (s) {
            case NO_MIGRATION -> "no-migration";
            case BEFORE_HANDOVER -> "before-handover";
            case HANDED_OVER -> "handed-over";
            case COMPLETED -> "completed";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
        };
    }

    static String stageWords(Origin.Stage s) {
        return switch (s) {
            case NO_MIGRATION -> "before any migration";
            case BEFORE_HANDOVER -> "during a migration, before the source handed over";
            case HANDED_OVER -> "between the source's handover and the target's completion (migration_completion, "
                    + "migration/migration.c; process_incoming_migration_bh)";
            case COMPLETED -> "after the migration completed";
            case FAILED -> "after a failed migration";
            case CANCELLED -> "after a cancelled migration";
        };
    }

    /** How the migration stood when the invariant broke. */
    static ClassPart migration(Origin.Stage s) {
        String words = switch (s) {
            case NO_MIGRATION -> "no migration had been started";
            case BEFORE_HANDOVER -> "a migration was running and the source had not handed over";
            case HANDED_OVER -> "a migration had handed over and not completed";
            case COMPLETED -> "the migration had completed";
            case FAILED -> "the migration had failed and the source had taken the image back where it could";
            case CANCELLED -> "the migration had been cancelled and the source had taken the image back where it could";
        };
        return new ClassPart(MIGRATION, stageSlug(s), "When the violation showed, " + words + ".");
    }

    // ---------------------------------------------------------------- backup tools

    static String forBackupTools(ViolationClass c) {
        return switch (c.invariant()) {
            case NO_UNDER_REPORT -> {
                String copy = c.parts().find(p -> p.kind() == COPY).map(ClassPart::slug).getOrElse("");
                if (copy.equals("image-entry")) {
                    yield "For a backup tool: the next QEMU to open the image loads this entry as valid, and the next "
                            + "incremental backup from it silently leaves these clusters out.";
                }
                if (copy.endsWith("mirror-job")) {
                    yield "For a backup or storage-migration tool: the job reports its target in sync while it still "
                            + "lacks these clusters, so a pivot to the copy loses data.";
                }
                yield "For a backup tool: the next incremental backup from this bitmap (blockdev-backup "
                        + "sync=incremental) silently leaves these clusters out, and every restore from the chain returns "
                        + "stale data for them.";
            }
            case SINGLE_WRITER -> "For a backup tool: two writers corrupt the image's metadata, so neither the data nor "
                    + "any bitmap in it can be trusted.";
            case NO_SILENT_LOSS -> "For a backup tool: the bitmap its checkpoints depend on disappears without an error at "
                    + "the step that lost it; the next incremental backup finds no bitmap and the chain must restart "
                    + "from a full backup.";
            case NO_LOST_DISK -> "For a backup tool: the VM runs, or is left stopped, without its disk; every backup "
                    + "job on the node fails with \"No medium found\", and the bitmaps in its RAM are never stored.";
        };
    }

    /** Sentences in the order a class lists its parts. */
    static List<ClassPart> parts(ClassPart... parts) {
        return List.of(parts);
    }
}
