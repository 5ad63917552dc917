package dev.bitmig.check;

import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Lineage;
import dev.bitmig.model.Migration;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;
import io.vavr.collection.SortedSet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A canonical, lossless encoding of a world for deduplication, like TLC's VIEW: it leaves out only what no
 * transition and no invariant reads (the image's write clock and per-cluster stamps, and the losses the last step
 * recorded, which are judged before deduplication). Two worlds get equal keys iff they are equal up to those.
 */
public final class WorldKey {
    private final byte[] bytes;
    private final int hash;

    private WorldKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static WorldKey of(World w) {
        Out out = new Out();
        out.bool(w.image().autoclear());
        out.varint(w.image().owner().map(n -> n.ordinal() + 1).getOrElse(0));
        out.varint(w.image().directory().size());
        for (var e : w.image().directory()) {
            StoredBitmap s = e._2;
            out.string(e._1);
            out.varint(s.granularity());
            out.bool(s.inUse());
            out.bool(s.auto());
            out.set(s.granules());
            out.varint(s.lineage());
        }
        for (NodeId id : NodeId.values()) {
            node(out, w.node(id));
        }
        Migration m = w.migration();
        out.varint(m.phase().ordinal());
        out.bool(m.capability());
        out.bool(m.handedOver());
        out.bool(m.sourceWasRunning());
        out.names(m.riding());
        out.names(m.enabledAtStart());
        out.names(m.depersisted());
        out.bool(m.error().isDefined());
        out.string(m.error().getOrElse(""));
        out.varint(w.ghost().lineages().size());
        for (var e : w.ghost().lineages()) {
            Lineage l = e._2;
            out.varint(e._1);
            out.bool(l.persistent());
            out.bool(l.recording());
            out.set(l.truth());
            out.varint(l.family());
        }
        return new WorldKey(out.toArray());
    }

    private static void node(Out out, Node n) {
        out.varint(n.run().ordinal());
        out.varint(n.block().ordinal());
        out.bool(n.readOnly());
        out.bool(n.canaryArmed());
        out.varint(n.bitmaps().size());
        for (var e : n.bitmaps()) {
            Bitmap b = e._2;
            out.string(e._1);
            out.varint(b.granularity());
            out.varint((b.persistent() ? 1 : 0) | (b.enabled() ? 2 : 0) | (b.busy() ? 4 : 0) | (b.skipStore() ? 8 : 0)
                    | (b.inconsistent() ? 16 : 0) | (b.readonly() ? 32 : 0));
            out.set(b.granules());
            out.bool(b.successor().isDefined());
            if (b.successor().isDefined()) {
                out.bool(b.successor().get().enabled());
                out.set(b.successor().get().granules());
            }
            out.varint(b.lineage());
        }
        out.bool(n.mirror().isDefined());
        for (Mirror job : n.mirror()) {
            out.varint(job.granularity());
            out.set(job.granules());
            out.varint(job.lineage());
        }
    }

    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorldKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** A small growable byte buffer. */
    private static final class Out {
        private byte[] buf = new byte[128];
        private int n;

        void varint(int v) {
            while ((v & ~0x7f) != 0) {
                put((byte) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            put((byte) v);
        }

        void bool(boolean b) {
            put((byte) (b ? 1 : 0));
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            for (byte x : b) {
                put(x);
            }
        }

        void set(SortedSet<Integer> s) {
            varint(s.size());
            for (int i : s) {
                varint(i);
            }
        }

        void names(SortedSet<String> s) {
            varint(s.size());
            for (String x : s) {
                string(x);
            }
        }

        private void put(byte b) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = b;
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, n);
        }
    }
}
