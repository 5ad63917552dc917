package dev.bitmig.bench;

import dev.bitmig.bench.before.HBitmapBefore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The frozen pre-rewrite HBitmap ({@link HBitmapBefore}) behind the same calls as {@link BitmapAdapter.H}, so that one
 * run measures the implementation before and after the page-wise rewrite against the same peers.
 */
final class HBitmapBeforeAdapter extends BitmapAdapter {
    private final HBitmapBefore hb;
    private byte[] buf;

    HBitmapBeforeAdapter(long n) {
        this(n, HBitmapBefore.create(n << Fixtures.GRANULE_SHIFT, Fixtures.GRANULE_SHIFT));
    }

    private HBitmapBeforeAdapter(long n, HBitmapBefore hb) {
        super(n);
        this.hb = hb;
    }

    static HBitmapBeforeAdapter of(long n, byte[] leWords) {
        HBitmapBeforeAdapter a = new HBitmapBeforeAdapter(n);
        a.hb.deserializePart(leWords, 0, a.hb.size(), true);
        return a;
    }

    @Override
    public BitmapKind kind() {
        return BitmapKind.HBitmapBefore;
    }

    @Override
    public void write(long offset, long length) {
        hb.set(offset, length);
    }

    @Override
    public void resetAligned(long firstBit, long n) {
        hb.reset(firstBit << Fixtures.GRANULE_SHIFT, n << Fixtures.GRANULE_SHIFT);
    }

    @Override
    public long iterate() {
        HBitmapBefore.Iter it = hb.iterator(0);
        long sum = 0;
        for (long item = it.next(); item >= 0; item = it.next()) {
            sum += item >>> Fixtures.GRANULE_SHIFT;
        }
        return sum;
    }

    @Override
    public long count() {
        return hb.count() >>> Fixtures.GRANULE_SHIFT;
    }

    @Override
    public void mergeFrom(BitmapAdapter other) {
        hb.mergeFrom(((HBitmapBeforeAdapter) other).hb);
    }

    @Override
    public void clear() {
        hb.resetAll();
    }

    @Override
    public Object serialize() {
        int n = Math.toIntExact(hb.serializationSize(0, hb.size()));
        if (buf == null || buf.length != n) {
            buf = new byte[n];
        }
        hb.serializePart(buf, 0, hb.size());
        return buf;
    }

    @Override
    public void deserialize(Object serialized) {
        hb.deserializePart((byte[]) serialized, 0, hb.size(), true);
    }

    @Override
    public byte[] sha256() {
        return hb.sha256();
    }

    @Override
    public BitmapAdapter copy() {
        return new HBitmapBeforeAdapter(bits, hb.copy());
    }

    @Override
    public Object root() {
        return hb;
    }

    @Override
    public long[] words() {
        byte[] le = new byte[Math.toIntExact(hb.serializationSize(0, hb.size()))];
        hb.serializePart(le, 0, hb.size());
        long[] w = new long[wordCount()];
        ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(w, 0, le.length / Long.BYTES);
        return w;
    }
}
