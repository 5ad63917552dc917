package dev.bitmig.model;

/**
 * Ghost: who wrote a truth cluster and in which window. A lineage keeps, for every cluster of its truth, the origin of
 * the last write to it, so that a violation can say whose write a bitmap missed and when. QEMU cannot see it.
 *
 * @param author who wrote
 * @param stage  where the migration stood when the write happened
 * @param source the source QEMU at that moment: down, inactive or active
 * @param target the target QEMU at that moment
 */
public record Origin(Author author, Stage stage, Presence source, Presence target) {

    /** Who writes the image. */
    public enum Author {
        /** The guest (or HMP qemu-io) of the source QEMU (block/io.c bdrv_co_pwritev). */
        SOURCE_GUEST,
        /** The guest of the target QEMU. */
        TARGET_GUEST,
        /** A bitmap-aware tool (qemu-img, qemu-io 2.10+) while no QEMU holds the image. */
        AWARE_TOOL,
        /** A tool without bitmap support while no QEMU holds the image. */
        UNAWARE_TOOL,
        /** blockdev-mirror sync=full: at its start every cluster still has to be copied (block/mirror.c). */
        MIRROR_START;

        public static Author guestOf(NodeId node) {
            return node == NodeId.SOURCE ? SOURCE_GUEST : TARGET_GUEST;
        }
    }

    /** Where the migration stood (query-migrate, and whether the source had inactivated). */
    public enum Stage {
        /** No migration was started yet. */
        NO_MIGRATION,
        /** A migration is active and the source has not handed over (it still runs and owns the image). */
        BEFORE_HANDOVER,
        /** The source has inactivated; the target has not completed (migration/migration.c migration_completion). */
        HANDED_OVER,
        /** The last migration completed. */
        COMPLETED,
        /** The last migration failed. */
        FAILED,
        /** The last migration was cancelled. */
        CANCELLED;

        public static Stage of(Migration m) {
            return switch (m.phase()) {
                case NONE -> NO_MIGRATION;
                case ACTIVE -> m.handedOver() ? HANDED_OVER : BEFORE_HANDOVER;
                case COMPLETED -> COMPLETED;
                case FAILED -> FAILED;
                case CANCELLED -> CANCELLED;
            };
        }
    }

    /** A QEMU process at one moment: not running, running with its node inactive, or owning the image. */
    public enum Presence {
        DOWN, INACTIVE, ACTIVE;

        public static Presence of(Node n) {
            return !n.isOn() ? DOWN : n.isActive() ? ACTIVE : INACTIVE;
        }
    }

    /** The origin of a write that {@code author} makes in world {@code w}. */
    public static Origin of(World w, Author author) {
        return new Origin(author, Stage.of(w.migration()), Presence.of(w.source()), Presence.of(w.target()));
    }

    /** The presence of one of the two QEMUs at the time of the write. */
    public Presence of(NodeId node) {
        return node == NodeId.SOURCE ? source : target;
    }
}
