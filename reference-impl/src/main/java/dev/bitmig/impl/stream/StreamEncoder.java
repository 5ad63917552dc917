package dev.bitmig.impl.stream;

import static dev.bitmig.impl.stream.StreamFormat.BUFFER_ALIGN;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_BITMAP_NAME;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_BITS;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_COMPLETE;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_DEVICE_NAME;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_EOS;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_START;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_ZEROES;
import static dev.bitmig.impl.stream.StreamFormat.SECTOR_BITS;
import static dev.bitmig.impl.stream.StreamFormat.SECTOR_SIZE;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the source side of a dirty-bitmap migration: the setup section (a START record per bitmap, then EOS) and the
 * completion section (all BITS chunks of every bitmap, then a COMPLETE record per bitmap, then EOS).
 *
 * <p>The encoder is stateful like QEMU's save state: node and bitmap names are only sent when they differ from the
 * previous record's, across both sections, so write the setup section before the completion section with the same
 * encoder. Not thread-safe.
 */
public final class StreamEncoder {
    /** The largest be32 sector count. */
    private static final long MAX_NR_SECTORS = 0xFFFF_FFFFL;

    private final List<MigratingBitmap> bitmaps;
    private final Set<StreamFault> faults;
    private BitmapId previous;
    private long bytesWritten;
    private long bitsRecords;
    private long zeroesRecords;

    public StreamEncoder(List<MigratingBitmap> bitmaps) {
        this(bitmaps, EnumSet.noneOf(StreamFault.class));
    }

    public StreamEncoder(List<MigratingBitmap> bitmaps, Set<StreamFault> faults) {
        this.bitmaps = List.copyOf(bitmaps);
        this.faults = faults.isEmpty() ? Set.of() : EnumSet.copyOf(faults);
        Set<BitmapId> seen = new HashSet<>();
        for (MigratingBitmap b : this.bitmaps) {
            if (!seen.add(b.id())) {
                throw new IllegalArgumentException("bitmap " + b.id() + " is listed twice");
            }
        }
    }

    /** Setup and completion sections of {@code bitmaps}, back to back. */
    public static byte[] encode(List<MigratingBitmap> bitmaps) {
        StreamEncoder encoder = new StreamEncoder(bitmaps);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        encoder.writeSetup(out);
        encoder.writeCompletion(out);
        return out.toByteArray();
    }

    public byte[] setupSection() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeSetup(out);
        return out.toByteArray();
    }

    public byte[] completionSection() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeCompletion(out);
        return out.toByteArray();
    }

    /** Writes the setup section; returns the number of bytes written. */
    public long writeSetup(OutputStream out) {
        RecordWriter w = new RecordWriter(Objects.requireNonNull(out));
        for (MigratingBitmap b : bitmaps) {
            header(w, b, FLAG_START);
            w.be32(b.granularityBytes());
            int flags = (b.enabled() ? StreamFormat.START_FLAG_ENABLED : 0)
                    | (b.persistent() ? StreamFormat.START_FLAG_PERSISTENT : 0);
            w.u8(flags);
        }
        w.u8(FLAG_EOS);
        bytesWritten += w.written();
        return w.written();
    }

    /** Writes the completion section; returns the number of bytes written. */
    public long writeCompletion(OutputStream out) {
        RecordWriter w = new RecordWriter(Objects.requireNonNull(out));
        try {
            for (MigratingBitmap b : bitmaps) {
                sendAllChunks(w, b);
            }
            for (MigratingBitmap b : bitmaps) {
                header(w, b, FLAG_COMPLETE);
            }
            w.u8(FLAG_EOS);
        } finally {
            bytesWritten += w.written();
        }
        return w.written();
    }

    /** Sectors per BITS record for the bitmap, capped to a be32 count that keeps chunks serialization-aligned. */
    public long chunkSectors(MigratingBitmap b) {
        long perChunk = StreamFormat.sectorsPerChunk(b.granularityBytes(), faults);
        long alignSectors = Math.max(1, b.bits().serializationAlign() >>> SECTOR_BITS);
        long cap = MAX_NR_SECTORS / alignSectors * alignSectors;
        return Math.min(perChunk, cap);
    }

    private void sendAllChunks(RecordWriter w, MigratingBitmap b) {
        long totalSectors = (b.diskSizeBytes() + SECTOR_SIZE - 1) >>> SECTOR_BITS;
        long perChunk = chunkSectors(b);
        for (long cur = 0; cur < totalSectors; ) {
            long nr = Math.min(totalSectors - cur, perChunk);
            if (nr == 0) {
                throw new StreamEncodingException("bitmap " + b.id() + " with granularity " + b.granularityBytes()
                        + " bytes: sectors per chunk computed as 0, so no chunk would ever advance past sector " + cur
                        + " of " + totalSectors + " (32-bit chunk size overflow)");
            }
            sendBits(w, b, cur, nr);
            cur += nr;
        }
    }

    private void sendBits(RecordWriter w, MigratingBitmap b, long startSector, long nrSectors) {
        long first = startSector << SECTOR_BITS;
        long count = nrSectors << SECTOR_BITS;
        long size = b.bits().serializationSize(first, count);
        long bufSize = StreamFormat.alignUp(size, BUFFER_ALIGN);
        byte[] buf = new byte[Math.toIntExact(bufSize)];
        b.bits().serializePart(buf, first, count);
        boolean zero = true;
        for (byte x : buf) {
            if (x != 0) {
                zero = false;
                break;
            }
        }
        header(w, b, FLAG_BITS | (zero ? FLAG_ZEROES : 0));
        w.be64(startSector);
        w.be32(nrSectors);
        if (zero) {
            zeroesRecords++;
        } else {
            w.be64(bufSize);
            w.bytes(buf);
        }
        bitsRecords++;
    }

    private void header(RecordWriter w, MigratingBitmap b, int flags) {
        BitmapId id = b.id();
        boolean nodeChanged = previous == null || !previous.node().equals(id.node());
        boolean bitmapChanged = !id.equals(previous);
        if (nodeChanged) {
            flags |= FLAG_DEVICE_NAME;
        }
        if (bitmapChanged) {
            flags |= FLAG_BITMAP_NAME;
        }
        previous = id;
        w.u8(flags);
        if (nodeChanged) {
            w.countedString(id.node());
        }
        if (bitmapChanged) {
            w.countedString(id.name());
        }
    }

    /** Total bytes written by this encoder. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** BITS records written, including ZEROES ones. */
    public long bitsRecords() {
        return bitsRecords;
    }

    /** BITS records sent as ZEROES without a buffer. */
    public long zeroesRecords() {
        return zeroesRecords;
    }

    public List<MigratingBitmap> bitmaps() {
        return new ArrayList<>(bitmaps);
    }
}
