package dev.bitmig.impl.qcow2.differential;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/** One step of a history that only real QEMU tools write. A history's first step is always {@link Create}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "step")
@JsonSubTypes({
    @JsonSubTypes.Type(value = QemuStep.Create.class, name = "create"),
    @JsonSubTypes.Type(value = QemuStep.ImgBitmap.class, name = "qemu-img bitmap"),
    @JsonSubTypes.Type(value = QemuStep.Io.class, name = "qemu-io"),
    @JsonSubTypes.Type(value = QemuStep.Live.class, name = "qemu-system"),
    @JsonSubTypes.Type(value = QemuStep.RawHeaderWrite.class, name = "unaware raw write")})
sealed interface QemuStep {

    /** {@code qemu-img create -f qcow2 -o cluster_size=C IMAGE SIZE}. */
    record Create(long size, int clusterSize) implements QemuStep {
    }

    /** {@code qemu-img bitmap --OP IMAGE NAME} (granularity for add, source for merge). */
    record ImgBitmap(BitmapOp op, String name, long granularity, String source) implements QemuStep {
    }

    /** One standalone {@code qemu-io -f qcow2} process running the commands in order. */
    record Io(List<IoOp> ops) implements QemuStep {
    }

    /**
     * A QEMU that attaches the image read-write (blockdev-add), runs the operations over QMP (guest writes through
     * HMP qemu-io) and then ends: DETACH deletes the node in a QEMU shared by many histories (a clean close),
     * QUIT is a dedicated QEMU that quits, KILL a dedicated QEMU killed with SIGKILL.
     */
    record Live(List<LiveOp> ops, Ending ending) implements QemuStep {
    }

    /**
     * A writer without bitmap support: {@code qemu-io -f raw} overwrites the header's autoclear_features (bytes
     * 88..95) with zeros, which is the header a QEMU older than 2.10 writes when it opens the image read-write (it
     * clears every autoclear bit it does not know).
     */
    record RawHeaderWrite() implements QemuStep {
    }

    enum BitmapOp { ADD, ADD_DISABLED, REMOVE, CLEAR, ENABLE, DISABLE, MERGE }

    enum Ending { DETACH, QUIT, KILL }

    /** A guest-visible write as a qemu-io command: pattern write, zero write or discard. */
    record IoOp(IoKind kind, long offset, long length) {
        String command() {
            return switch (kind) {
                case WRITE -> "write -P 0x5a " + offset + " " + length;
                case ZERO -> "write -z " + offset + " " + length;
                case DISCARD -> "discard " + offset + " " + length;
            };
        }
    }

    enum IoKind { WRITE, ZERO, DISCARD }

    /** An operation inside a running QEMU. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = LiveBitmap.class, name = "bitmap"),
        @JsonSubTypes.Type(value = LiveIo.class, name = "io")})
    sealed interface LiveOp {
    }

    /** block-dirty-bitmap-OP; an added bitmap is persistent unless {@code transientBitmap}. */
    record LiveBitmap(BitmapOp op, String name, long granularity, String source, boolean transientBitmap)
            implements LiveOp {
    }

    /** HMP {@code qemu-io NODE "COMMAND"}. */
    record LiveIo(IoOp io) implements LiveOp {
    }
}
