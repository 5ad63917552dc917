package dev.bitmig.bench;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.stream.BitmapId;
import dev.bitmig.impl.stream.DecodedBitmap;
import dev.bitmig.impl.stream.MigratingBitmap;
import dev.bitmig.impl.stream.StreamDecoder;
import dev.bitmig.impl.stream.StreamEncoder;
import dev.bitmig.impl.stream.StreamFormatException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dirty-bitmap migration stream: encoding one HBitmap (setup and completion sections) and decoding it on the
 * destination, at 0.01 %, 1 % and 50 % dirty. Throughput in streams per second; the secondary metric
 * {@code wireBytes} is the stream bytes produced or consumed per second, so bytes per stream = wireBytes / score.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms1g", "-Xmx4g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
public class StreamBench {
    public static final String NODE = "drive0";
    public static final String BITMAP = "bitmap0";

    @State(Scope.Thread)
    public static class StreamState {
        @Param({"24"})
        public int log2Bits;
        @Param({"0.01", "1", "50"})
        public String dirty;
        List<MigratingBitmap> bitmaps;
        byte[] encoded;
        Map<String, Long> nodes;

        @Setup(Level.Trial)
        public void trial() {
            bitmaps = List.of(bitmapOf(log2Bits, Fixtures.fraction(dirty)));
            encoded = StreamEncoder.encode(bitmaps);
            nodes = Map.of(NODE, Fixtures.diskBytes(log2Bits));
        }
    }

    /** Stream bytes moved, reported as a rate next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Wire {
        public long wireBytes;

        @Setup(Level.Iteration)
        public void reset() {
            wireBytes = 0;
        }
    }

    /** The migrating bitmap the stream benchmarks and the footprint tool use. */
    public static MigratingBitmap bitmapOf(int log2Bits, double fraction) {
        HBitmap hb = ((BitmapAdapter.H) BitmapAdapter.of(BitmapKind.HBitmap, log2Bits,
                Fixtures.pattern(log2Bits, fraction, 71))).hb;
        return MigratingBitmap.of(NODE, BITMAP, true, true, hb);
    }

    @Benchmark
    public byte[] encode(StreamState s, Wire w) {
        byte[] out = StreamEncoder.encode(s.bitmaps);
        w.wireBytes += out.length;
        return out;
    }

    @Benchmark
    public Map<BitmapId, DecodedBitmap> decode(StreamState s, Wire w) throws StreamFormatException {
        Map<BitmapId, DecodedBitmap> out = StreamDecoder.decodeAll(s.encoded, s.nodes);
        w.wireBytes += s.encoded.length;
        return out;
    }
}
