package dev.bitmig.impl.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.impl.hbitmap.HBitmap;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever is encoded decodes to the same bitmaps, at fine and coarse granularities, sparse or dense. */
class StreamRoundTripProperties {

    /** A bitmap description: granularity 2^shift bytes, size in granules, trimmed sectors, dirty runs. */
    record Spec(int shift, int granules, int trimSectors, boolean enabled, boolean persistent, boolean dense,
            List<Integer> runs) {}

    @Provide
    Arbitrary<Spec> specs() {
        return Combinators.combine(
                        Arbitraries.integers().between(9, 31),
                        Arbitraries.integers().between(1, 40_000),
                        Arbitraries.integers().between(0, 1 << 20),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, 1 << 20).list().ofMaxSize(12))
                .as(Spec::new);
    }

    static long diskSize(Spec s) {
        long granularity = 1L << s.shift();
        long sectorsPerGranule = granularity / 512;
        // A whole number of sectors that leaves the last granule partly used when trimmed.
        return (long) s.granules() * granularity - (s.trimSectors() % sectorsPerGranule) * 512;
    }

    static MigratingBitmap build(String node, String name, Spec s, long disk) {
        long granularity = 1L << s.shift();
        long granules = (disk + granularity - 1) / granularity;
        HBitmap bits = HBitmap.create(disk, s.shift());
        if (s.dense()) {
            bits.set(0, disk);
        }
        for (int i = 0; i + 1 < s.runs().size(); i += 2) {
            long g = s.runs().get(i) % granules;
            long len = 1 + s.runs().get(i + 1) % 300;
            long start = g * granularity;
            long count = Math.min(len * granularity, disk - start);
            if (s.dense()) {
                bits.reset(start, count);
            } else {
                bits.set(start, count);
            }
        }
        return new MigratingBitmap(node, name, granularity, s.enabled(), s.persistent(), bits, disk);
    }

    @Property(tries = 150)
    void encodedBitmapsDecodeToTheSameBitsAndAttributes(
            @ForAll("specs") Spec a, @ForAll("specs") Spec b, @ForAll("specs") Spec c) throws Exception {
        // Two bitmaps on one node (so of one disk size, possibly very different granularities) and one on another.
        long disk0 = diskSize(a);
        if ((disk0 >> b.shift()) > 1_000_000) {
            disk0 = (long) a.granules() << 9; // keep the second bitmap of drive0 small enough for a quick test
        }
        List<MigratingBitmap> sent = new ArrayList<>();
        sent.add(build("drive0", "bitmap0", a, disk0));
        sent.add(build("drive0", "bitmap1", b, disk0));
        sent.add(build("drive1", "bitmap0", c, diskSize(c)));
        MigratingBitmap first = sent.get(0);
        MigratingBitmap third = sent.get(2);
        Map<String, Long> nodes = new HashMap<>();
        nodes.put("drive0", first.diskSizeBytes());
        nodes.put("drive1", third.diskSizeBytes());

        StreamEncoder encoder = new StreamEncoder(sent);
        ByteArrayOutputStream setup = new ByteArrayOutputStream();
        ByteArrayOutputStream completion = new ByteArrayOutputStream();
        long setupBytes = encoder.writeSetup(setup);
        long completionBytes = encoder.writeCompletion(completion);
        assertThat(setupBytes).isEqualTo(setup.size());
        assertThat(completionBytes).isEqualTo(completion.size());
        assertThat(encoder.bytesWritten()).isEqualTo(setupBytes + completionBytes);

        StreamDecoder decoder = new StreamDecoder(nodes);
        decoder.decode(setup.toByteArray());
        assertThat(decoder.bitmaps()).hasSize(3).allSatisfy((id, d) -> assertThat(d.complete()).isFalse());
        decoder.decode(completion.toByteArray());
        Map<BitmapId, DecodedBitmap> received = decoder.bitmaps();
        assertThat(received.keySet()).containsExactly(sent.get(0).id(), sent.get(1).id(), sent.get(2).id());
        for (MigratingBitmap m : sent) {
            DecodedBitmap d = received.get(m.id());
            assertThat(d.complete()).isTrue();
            assertThat(d.granularityBytes()).isEqualTo(m.granularityBytes());
            assertThat(d.enabled()).isEqualTo(m.enabled());
            assertThat(d.persistent()).isEqualTo(m.persistent());
            assertThat(d.bits().sameBits(m.bits())).as("bits of %s", m.id()).isTrue();
            assertThat(d.bits().count()).isEqualTo(m.bits().count());
            assertThat(d.bits().sha256Hex()).isEqualTo(m.bits().sha256Hex());
        }
        assertThat(decoder.sectionsEnded()).isEqualTo(2);
        assertThat(decoder.bytesConsumed()).isEqualTo(encoder.bytesWritten());
    }
}
