package dev.bitmig.bench;

import dev.bitmig.model.Granules;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The model's representation: an immutable vavr {@code SortedSet<Integer>} of dirty granules (granularity 1
 * cluster), changed one granule at a time with {@code add}/{@code remove}. Its "serialized form" is QEMU's
 * little-endian last level, as {@code Concretization.of} would produce from it.
 */
final class ModelAdapter extends BitmapAdapter {
    SortedSet<Integer> granules;

    ModelAdapter(long n) {
        this(n, Granules.NONE);
    }

    ModelAdapter(long n, SortedSet<Integer> granules) {
        super(n);
        this.granules = granules;
    }

    @Override
    public BitmapKind kind() {
        return BitmapKind.Model;
    }

    @Override
    public void write(long offset, long length) {
        // Element by element: vavr's addAll of a TreeSet is a union that walks both trees, O(n) per write,
        // which is what Bitmap.record pays in the model; add keeps a write at O(k log n).
        SortedSet<Integer> g = granules;
        for (int b = (int) firstBit(offset), last = (int) lastBit(offset, length); b <= last; b++) {
            g = g.add(b);
        }
        granules = g;
    }

    @Override
    public void resetAligned(long firstBit, long n) {
        SortedSet<Integer> g = granules;
        for (int b = (int) firstBit, end = (int) (firstBit + n); b < end; b++) {
            g = g.remove(b);
        }
        granules = g;
    }

    @Override
    public long iterate() {
        long sum = 0;
        for (Integer g : granules) {
            sum += g;
        }
        return sum;
    }

    @Override
    public long count() {
        return granules.size();
    }

    @Override
    public void mergeFrom(BitmapAdapter other) {
        granules = granules.addAll(((ModelAdapter) other).granules);
    }

    @Override
    public void clear() {
        granules = Granules.NONE;
    }

    @Override
    public Object serialize() {
        return Fixtures.leBytes(words());
    }

    @Override
    public void deserialize(Object serialized) {
        byte[] le = (byte[]) serialized;
        long[] w = new long[le.length / Long.BYTES];
        ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(w);
        granules = TreeSet.ofAll(Fixtures.indexes(w));
    }

    @Override
    public byte[] sha256() {
        return sha().digest((byte[]) serialize());
    }

    @Override
    public BitmapAdapter copy() {
        return new ModelAdapter(bits, granules);
    }

    @Override
    public Object root() {
        return granules;
    }

    @Override
    public long[] words() {
        long[] w = new long[wordCount()];
        for (Integer g : granules) {
            w[g >>> 6] |= 1L << g;
        }
        return w;
    }
}
