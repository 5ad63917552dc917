package dev.bitmig.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bitmig.impl.stream.StreamEncoder;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * Sizes that JMH does not measure, written as JSON for {@link BenchReport}: the bytes each bitmap implementation
 * retains, and the bytes a migration stream puts on the wire.
 *
 * <p>Retained memory is measured without JMH and without JOL: {@code Runtime.totalMemory() - freeMemory()} after
 * repeated {@link System#gc()}, while a static field holds the bitmap and again once it is dropped. Run it
 * in a JVM of its own with {@code -XX:+UseSerialGC} (whose full collections leave exactly the live bytes), as
 * bench/run does. A computed size is given next to it where the implementation can say: HBitmap's allocated pages
 * times 8 KiB (its page pointer arrays not included), BitSet's words, RoaringBitmap's {@code getLongSizeInBytes()}.
 *
 * <p>Usage: {@code Footprint OUT.json [log2Bits,...]} (default 24,28).
 */
public final class Footprint {
    private Footprint() {
    }

    public static void main(String[] args) throws IOException {
        File out = new File(args.length > 0 ? args[0] : "bench/target/footprint.json");
        int[] sizes = args.length > 1
                ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {24, 28};
        String[] dirties = {"0.01", "1", "50"};
        List<Map<String, Object>> memory = new ArrayList<>();
        for (int log2Bits : sizes) {
            for (String dirty : dirties) {
                for (BitmapKind kind : BitmapKind.values()) {
                    if (kind == BitmapKind.HBitmapBefore) {
                        continue; // same page layout as HBitmap; measured for speed only
                    }
                    memory.add(measure(kind, log2Bits, dirty));
                }
            }
        }
        List<Map<String, Object>> wire = new ArrayList<>();
        int streamBits = Math.min(24, sizes[0]);
        for (String dirty : dirties) {
            double f = Fixtures.fraction(dirty);
            byte[] stream = StreamEncoder.encode(List.of(StreamBench.bitmapOf(streamBits, f)));
            RoaringBitmap rb = ((BitmapAdapter.R) BitmapAdapter.of(BitmapKind.Roaring, streamBits,
                    Fixtures.pattern(streamBits, f, 71))).rb;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("log2Bits", streamBits);
            row.put("dirty", dirty);
            row.put("streamBytes", stream.length);
            row.put("lastLevelBytes", (1L << streamBits) / 8);
            row.put("roaringSerializedBytes", rb.serializedSizeInBytes());
            wire.add(row);
            System.out.printf("wire 2^%d bits %s%% dirty: %d stream bytes%n", streamBits, dirty, stream.length);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("method", "Retained bytes = Runtime used memory (after System.gc(), -XX:+UseSerialGC) while the bitmap"
                + " is held minus once it is dropped; median of 3");
        doc.put("memory", memory);
        doc.put("wire", wire);
        File dir = out.getAbsoluteFile().getParentFile();
        if (dir != null) {
            dir.mkdirs();
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, doc);
        System.out.println("footprint written to " + out);
    }

    private static Map<String, Object> measure(BitmapKind kind, int log2Bits, String dirty) {
        double f = Fixtures.fraction(dirty);
        int eff = ModelCap.effectiveLog2Bits(kind, log2Bits, f);
        long[] pattern = Fixtures.pattern(eff, f, 91);
        long[] samples = new long[3];
        long computed = -1;
        for (int i = 0; i < samples.length; i++) {
            long[] one = once(kind, eff, pattern);
            samples[i] = one[0];
            computed = one[1];
        }
        java.util.Arrays.sort(samples);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("impl", kind.name());
        row.put("log2Bits", log2Bits);
        row.put("effectiveLog2Bits", eff);
        row.put("dirty", dirty);
        row.put("retainedBytes", samples[1]);
        row.put("computedBytes", computed);
        System.out.printf("memory %-8s 2^%d bits (used 2^%d) %5s%% dirty: %,d bytes retained%n", kind, log2Bits, eff,
                dirty, samples[1]);
        return row;
    }

    /** The bitmap being measured; a static field, so that reachability does not depend on local-variable liveness. */
    private static BitmapAdapter held;

    /**
     * One measurement: used memory while {@link #held} holds the bitmap, minus used memory once it is dropped
     * (everything else stays as it was). Returns {retained bytes, computed bytes}.
     */
    private static long[] once(BitmapKind kind, int eff, long[] pattern) {
        held = BitmapAdapter.of(kind, eff, pattern);
        long with = used();
        long computed = computed(held);
        held = null;
        long without = used();
        return new long[] {with - without, computed};
    }

    private static long computed(BitmapAdapter b) {
        return switch (b.kind()) {
            case HBitmap -> (long) ((BitmapAdapter.H) b).hb.allocatedPages() * 1024 * Long.BYTES;
            case BitSet -> ((BitmapAdapter.B) b).bs.size() / 8L;
            case Roaring -> ((BitmapAdapter.R) b).rb.getLongSizeInBytes();
            case HBitmapBefore, Model -> -1;
        };
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        long prev = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long u = rt.totalMemory() - rt.freeMemory();
            if (u == prev) {
                break;
            }
            prev = u;
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
