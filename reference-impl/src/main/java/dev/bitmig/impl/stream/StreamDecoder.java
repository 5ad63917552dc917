package dev.bitmig.impl.stream;

import static dev.bitmig.impl.stream.StreamFormat.BUFFER_ALIGN;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_BITMAP_NAME;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_BITS;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_COMPLETE;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_DEVICE_NAME;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_EOS;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_EXTRA;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_START;
import static dev.bitmig.impl.stream.StreamFormat.FLAG_ZEROES;
import static dev.bitmig.impl.stream.StreamFormat.SECTOR_BITS;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.stream.StreamFormatException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the destination side of a dirty-bitmap migration stream and rebuilds the bitmaps. Validation is strict: any
 * violation throws a {@link StreamFormatException} naming the problem and its byte offset, after which the decoder
 * refuses further input. No buffer is allocated from a size read from the stream before that size is checked.
 *
 * <p>The decoder keeps the current node and bitmap across calls, like QEMU's load state, so sections may be fed one
 * by one or all at once; offsets count from the first byte ever fed.
 */
public final class StreamDecoder {
    private final Map<String, Long> nodeSizes;
    private final Map<BitmapId, Incoming> bitmaps = new LinkedHashMap<>();
    private final List<StreamEvent> events = new ArrayList<>();
    private String currentNode;
    private BitmapId current;
    private long consumed;
    private int sectionsEnded;
    private boolean failed;

    private static final class Incoming {
        final BitmapId id;
        final long granularity;
        final boolean enabled;
        final boolean persistent;
        final HBitmap bits;
        boolean complete;

        Incoming(BitmapId id, long granularity, boolean enabled, boolean persistent, HBitmap bits) {
            this.id = id;
            this.granularity = granularity;
            this.enabled = enabled;
            this.persistent = persistent;
            this.bits = bits;
        }

        DecodedBitmap snapshot() {
            return new DecodedBitmap(id, granularity, enabled, persistent, bits, complete);
        }
    }

    /** @param nodeSizesInBytes the destination's nodes (by the names the stream uses) and their disk sizes */
    public StreamDecoder(Map<String, Long> nodeSizesInBytes) {
        this.nodeSizes = Map.copyOf(nodeSizesInBytes);
        nodeSizes.forEach((node, size) -> {
            if (size < 0) {
                throw new IllegalArgumentException("node '" + node + "' has a negative size: " + size);
            }
        });
    }

    /** Decodes a complete stream (any number of whole sections) and returns the bitmaps it carried. */
    public static Map<BitmapId, DecodedBitmap> decodeAll(byte[] stream, Map<String, Long> nodeSizesInBytes)
            throws StreamFormatException {
        StreamDecoder decoder = new StreamDecoder(nodeSizesInBytes);
        decoder.decode(stream);
        return decoder.bitmaps();
    }

    /**
     * Decodes one or more whole sections. The input must end right after an EOS record.
     *
     * @return the events of this input, in order
     */
    public List<StreamEvent> decode(byte[] input) throws StreamFormatException {
        if (failed) {
            throw new IllegalStateException("the decoder already rejected its input");
        }
        Reader r = new Reader(input, consumed);
        int firstEvent = events.size();
        try {
            boolean inSection = false;
            while (r.remaining() > 0) {
                inSection = !readRecord(r);
            }
            if (inSection) {
                throw new StreamFormatException(Kind.TRUNCATED, r.offset(), "input ended inside a section (no EOS)");
            }
        } catch (StreamFormatException e) {
            failed = true;
            throw e;
        }
        consumed = r.offset();
        return List.copyOf(events.subList(firstEvent, events.size()));
    }

    /** Reads one record; returns whether it was EOS. */
    private boolean readRecord(Reader r) throws StreamFormatException {
        long at = r.offset();
        int flags = r.u8();
        if ((flags & FLAG_EXTRA) != 0) {
            throw new StreamFormatException(Kind.UNKNOWN_FLAGS, at,
                    String.format("flags 0x%02x announce multi-byte flags, which this format never uses", flags));
        }
        int kinds = flags & (FLAG_EOS | FLAG_START | FLAG_COMPLETE | FLAG_BITS);
        if (Integer.bitCount(kinds) != 1) {
            throw new StreamFormatException(Kind.UNKNOWN_FLAGS, at,
                    String.format("flags 0x%02x must name exactly one of EOS, START, COMPLETE, BITS", flags));
        }
        if ((flags & FLAG_ZEROES) != 0 && kinds != FLAG_BITS) {
            throw new StreamFormatException(Kind.UNKNOWN_FLAGS, at,
                    String.format("flags 0x%02x: ZEROES is only meaningful with BITS", flags));
        }
        if (kinds == FLAG_EOS) {
            if (flags != FLAG_EOS) {
                throw new StreamFormatException(Kind.UNKNOWN_FLAGS, at,
                        String.format("flags 0x%02x: EOS carries no names", flags));
            }
            events.add(new StreamEvent.EndOfSection(at));
            sectionsEnded++;
            return true;
        }
        readNames(r, flags, at);
        switch (kinds) {
            case FLAG_START -> readStart(r, at);
            case FLAG_BITS -> readBits(r, at, (flags & FLAG_ZEROES) != 0);
            case FLAG_COMPLETE -> readComplete(at);
            default -> throw new AssertionError(kinds);
        }
        return false;
    }

    private void readNames(Reader r, int flags, long at) throws StreamFormatException {
        boolean node = (flags & FLAG_DEVICE_NAME) != 0;
        boolean bitmap = (flags & FLAG_BITMAP_NAME) != 0;
        if (node && !bitmap) {
            throw new StreamFormatException(Kind.MISSING_NAME, at, "the node changes but no bitmap name follows");
        }
        if (node) {
            long nameAt = r.offset();
            String name = r.countedString();
            if (!nodeSizes.containsKey(name)) {
                throw new StreamFormatException(Kind.UNKNOWN_NODE, nameAt,
                        "unknown block device or alias '" + name + "'");
            }
            currentNode = name;
        }
        if (bitmap) {
            if (currentNode == null) {
                throw new StreamFormatException(Kind.MISSING_NAME, at, "a bitmap name arrives before any node name");
            }
            current = new BitmapId(currentNode, r.countedString());
        }
        if (current == null) {
            throw new StreamFormatException(Kind.MISSING_NAME, at, "record before any node and bitmap name");
        }
    }

    private void readStart(Reader r, long at) throws StreamFormatException {
        long granAt = r.offset();
        long granularity = r.be32();
        int startFlags = r.u8();
        if ((startFlags & StreamFormat.START_FLAG_RESERVED_MASK) != 0) {
            throw new StreamFormatException(Kind.UNKNOWN_FLAGS, granAt + 4,
                    String.format("unknown flags 0x%02x in the START record of bitmap %s", startFlags, current));
        }
        if (!StreamFormat.validGranularity(granularity)) {
            throw new StreamFormatException(Kind.BAD_GRANULARITY, granAt, "granularity " + granularity
                    + " of bitmap " + current + " is not a power of two between 512 bytes and 2 GiB");
        }
        if (bitmaps.containsKey(current)) {
            throw new StreamFormatException(Kind.DUPLICATE_BITMAP, at,
                    "bitmap with the same name ('" + current.name() + "') already exists on destination node '"
                            + current.node() + "'");
        }
        boolean enabled = (startFlags & StreamFormat.START_FLAG_ENABLED) != 0;
        boolean persistent = (startFlags & StreamFormat.START_FLAG_PERSISTENT) != 0;
        HBitmap bits = HBitmap.create(nodeSizes.get(current.node()), Long.numberOfTrailingZeros(granularity));
        bitmaps.put(current, new Incoming(current, granularity, enabled, persistent, bits));
        events.add(new StreamEvent.Start(at, current, granularity, enabled, persistent));
    }

    private Incoming openBitmap(long at) throws StreamFormatException {
        Incoming b = bitmaps.get(current);
        if (b == null) {
            throw new StreamFormatException(Kind.UNKNOWN_BITMAP, at,
                    "unknown dirty bitmap '" + current.name() + "' for block device '" + current.node() + "'");
        }
        if (b.complete) {
            throw new StreamFormatException(Kind.BITMAP_ALREADY_COMPLETE, at,
                    "bitmap " + current + " already received COMPLETE");
        }
        return b;
    }

    private void readBits(Reader r, long at, boolean zeroes) throws StreamFormatException {
        long sectorAt = r.offset();
        long startSector = r.be64();
        long nrSectors = r.be32();
        Incoming b = openBitmap(at);
        if (nrSectors == 0) {
            throw new StreamFormatException(Kind.BAD_CHUNK, sectorAt + 8, "empty chunk for bitmap " + current);
        }
        if (startSector < 0 || startSector > (Long.MAX_VALUE >>> SECTOR_BITS) - nrSectors) {
            throw new StreamFormatException(Kind.BAD_CHUNK, sectorAt,
                    "chunk start sector " + Long.toUnsignedString(startSector) + " is out of range");
        }
        long first = startSector << SECTOR_BITS;
        long count = nrSectors << SECTOR_BITS;
        long needed;
        try {
            needed = b.bits.serializationSize(first, count);
        } catch (IllegalArgumentException e) {
            throw new StreamFormatException(Kind.BAD_CHUNK, sectorAt, "chunk of " + nrSectors + " sectors at sector "
                    + startSector + " does not fit bitmap " + current + ": " + e.getMessage());
        }
        if (zeroes) {
            b.bits.deserializeZeroes(first, count, false);
            events.add(new StreamEvent.Bits(at, current, startSector, nrSectors, true, 0));
            return;
        }
        long sizeAt = r.offset();
        long bufSize = r.be64();
        if (bufSize < 0 || bufSize > StreamFormat.MAX_BUFFER_SIZE) {
            throw new StreamFormatException(Kind.BUFFER_TOO_LARGE, sizeAt, "bitmap migration stream buffer "
                    + "allocation request of " + Long.toUnsignedString(bufSize) + " bytes is too large (limit "
                    + StreamFormat.MAX_BUFFER_SIZE + ")");
        }
        if (bufSize < needed || bufSize > StreamFormat.alignUp(needed, BUFFER_ALIGN)) {
            throw new StreamFormatException(Kind.GRANULARITY_MISMATCH, sizeAt, String.format(
                    "Migrated bitmap granularity doesn't match the destination bitmap '%s' granularity"
                            + " (buffer of %d bytes for a chunk needing %d)", current.name(), bufSize, needed));
        }
        byte[] buf = r.bytes((int) bufSize);
        b.bits.deserializePart(buf, first, count, false);
        events.add(new StreamEvent.Bits(at, current, startSector, nrSectors, false, bufSize));
    }

    private void readComplete(long at) throws StreamFormatException {
        Incoming b = openBitmap(at);
        b.bits.deserializeFinish();
        b.complete = true;
        events.add(new StreamEvent.Complete(at, current));
    }

    /** Every bitmap started so far, in START order. */
    public Map<BitmapId, DecodedBitmap> bitmaps() {
        Map<BitmapId, DecodedBitmap> out = new LinkedHashMap<>();
        bitmaps.forEach((id, b) -> out.put(id, b.snapshot()));
        return Collections.unmodifiableMap(out);
    }

    /** Every event decoded so far. */
    public List<StreamEvent> events() {
        return List.copyOf(events);
    }

    /** Number of EOS records seen. */
    public int sectionsEnded() {
        return sectionsEnded;
    }

    /** Bytes consumed by successful {@link #decode} calls. */
    public long bytesConsumed() {
        return consumed;
    }

    /** Bounds-checked big-endian reader; offsets include the bytes of earlier inputs. */
    private static final class Reader {
        private final byte[] data;
        private final long base;
        private int pos;

        Reader(byte[] data, long base) {
            this.data = data;
            this.base = base;
        }

        long offset() {
            return base + pos;
        }

        int remaining() {
            return data.length - pos;
        }

        private void need(int n, String what) throws StreamFormatException {
            if (remaining() < n) {
                throw new StreamFormatException(Kind.TRUNCATED, offset(), "input ends inside " + what + ": "
                        + n + " bytes needed, " + remaining() + " left");
            }
        }

        int u8() throws StreamFormatException {
            need(1, "a byte field");
            return data[pos++] & 0xFF;
        }

        long be32() throws StreamFormatException {
            need(4, "a be32 field");
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (data[pos++] & 0xFF);
            }
            return v;
        }

        long be64() throws StreamFormatException {
            need(8, "a be64 field");
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (data[pos++] & 0xFF);
            }
            return v;
        }

        byte[] bytes(int n) throws StreamFormatException {
            need(n, "a buffer");
            byte[] out = new byte[n];
            System.arraycopy(data, pos, out, 0, n);
            pos += n;
            return out;
        }

        String countedString() throws StreamFormatException {
            long at = offset();
            int len = u8();
            if (len == 0) {
                throw new StreamFormatException(Kind.BAD_NAME, at, "empty name");
            }
            need(len, "a name");
            String s = new String(data, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }
    }
}
