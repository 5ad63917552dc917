package dev.bitmig.impl.store;

import dev.bitmig.model.NodeId;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What every image store shares: the write log (each write with the writing node and whether that node was active
 * at that moment, asked of the system through {@code isActive}, not claimed by the caller), the data-write clock and
 * per-cluster stamps (bitmig stores no guest data), and the lock owner.
 */
abstract class LoggedImageStore implements ImageStore {
    private final Predicate<NodeId> isActive;
    private final int[] lastWrite;
    private final List<StoreWrite> log = new ArrayList<>();
    private int clock;
    private Optional<NodeId> owner = Optional.empty();
    private boolean full;

    LoggedImageStore(int clusters, Predicate<NodeId> isActive) {
        this.lastWrite = new int[clusters];
        this.isActive = isActive;
    }

    final void logged(StoreWrite.Op op, NodeId writer, String detail) {
        // Every write goes through here first: on a full volume none may happen (the callers check before they write).
        if (full) {
            throw new IllegalStateException("a " + op + " write reached a full volume (" + detail + ")");
        }
        boolean active = writer != null && isActive.test(writer);
        log.add(new StoreWrite(op, Optional.ofNullable(writer), active, detail));
    }

    /** Restores the clock, the stamps and the owner without logging. */
    final void restoreData(int clock, int[] stamps, Optional<NodeId> owner) {
        this.clock = clock;
        System.arraycopy(stamps, 0, lastWrite, 0, lastWrite.length);
        this.owner = owner;
    }

    @Override
    public final void writeData(NodeId writer, int first, int count) {
        if (count <= 0) {
            return;
        }
        logged(StoreWrite.Op.DATA, writer, first + "+" + count);
        clock++;
        for (int c = first; c < first + count; c++) {
            lastWrite[c] = clock;
        }
    }

    @Override
    public final int clock() {
        return clock;
    }

    @Override
    public final int[] lastWrite() {
        return lastWrite.clone();
    }

    @Override
    public final Optional<NodeId> owner() {
        return owner;
    }

    @Override
    public final void setOwner(Optional<NodeId> o) {
        owner = o;
    }

    @Override
    public final boolean full() {
        return full;
    }

    @Override
    public final void setFull(boolean f) {
        full = f;
    }

    @Override
    public final List<StoreWrite> log() {
        return Collections.unmodifiableList(log);
    }
}
