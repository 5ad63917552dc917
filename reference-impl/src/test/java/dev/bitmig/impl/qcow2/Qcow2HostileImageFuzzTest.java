package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.bitmig.impl.qcow2.HostileImages.Base;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Hostile images made from valid ones: bit flips, truncation at structure boundaries, huge counts, sizes and
 * offsets, aliased and self-referencing clusters, names with invalid bytes and reserved flags. Every case must end in
 * {@link Qcow2FormatException} or a valid load, within 2 s and within a fixed allocation bound measured per case.
 * Cases that load are then opened read-write, changed and closed; that path may refuse with an {@link IOException}
 * but must never throw anything else, and an image it closed must load again.
 *
 * <p>{@code -Dfuzz.cases=N} sets the number of cases (5,000 by default, one million under the {@code fuzz} profile),
 * {@code -Dfuzz.seed=S} the seed; case {@code i} is reproducible from the seed and {@code i} alone.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class Qcow2HostileImageFuzzTest {

    /** Allocation bound for opening and reading one hostile image (the images are at most a few hundred KiB). */
    static final long ALLOCATION_BOUND = 64L << 20;
    static final long CASE_TIMEOUT_MS = 2_000;

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static ExecutorService worker;

    @BeforeAll
    static void startTheWorker() {
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "qcow2-fuzz-worker");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopTheWorker() {
        worker.shutdownNow();
    }

    static List<Base> bases;

    static Base base(String label, long disk, int clusterBits, List<Qcow2Bitmap> bitmaps) throws IOException {
        MemoryWriteLayer mem = new MemoryWriteLayer();
        try (Qcow2Image img = Qcow2Image.create(mem, disk, clusterBits)) {
            img.storeBitmaps(bitmaps, Set.of());
            List<Long> entries = new ArrayList<>();
            List<Long> tables = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            List<Long> data = new ArrayList<>();
            for (BitmapDirectoryEntry e : img.bitmaps()) {
                entries.add(e.offset());
                tables.add(e.tableOffset());
                sizes.add(e.tableSize());
                for (long v : img.table(e.name())) {
                    if ((v & Qcow2Image.TABLE_ENTRY_OFFSET) != 0) {
                        data.add(v & Qcow2Image.TABLE_ENTRY_OFFSET);
                    }
                }
            }
            byte[] bytes = mem.toByteArray();
            long rb = ByteBuffer.wrap(bytes).getLong((int) img.refcountTableOffset());
            return new Base(label, bytes, img.clusterSize(), img.bitmapsExtensionOffset(), img.directoryOffset(),
                    img.directorySize(), img.refcountTableOffset(), rb, ByteBuffer.wrap(bytes).getLong(40), entries,
                    tables, sizes, data);
        }
    }

    static BitSet bits(SplittableRandom r, long granules, int count) {
        BitSet b = new BitSet();
        for (int i = 0; i < count; i++) {
            b.set((int) r.nextLong(granules));
        }
        return b;
    }

    @BeforeAll
    static void makeTheValidImages() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        BitSet full = new BitSet();
        full.set(0, 4096);
        bases = List.of(
                base("512-byte clusters, three bitmaps", 4L << 20, 9, List.of(
                        new Qcow2Bitmap("a", 9, true, bits(r, 8192, 40)),
                        new Qcow2Bitmap("bé€", 12, false, bits(r, 1024, 5)),
                        new Qcow2Bitmap("c", 16, true, new BitSet()))),
                base("4 KiB clusters, all-ones and sparse bitmaps", 64L << 20, 12, List.of(
                        new Qcow2Bitmap("full", 14, true, full),
                        new Qcow2Bitmap("sparse", 9, false, bits(r, 131072, 60)))),
                base("4 KiB clusters, one bitmap", 1L << 30, 12, List.of(
                        new Qcow2Bitmap("only", 16, true, bits(r, 16384, 100)))),
                base("64 KiB clusters, two bitmaps", 1L << 30, 16, List.of(
                        new Qcow2Bitmap("x", 12, true, bits(r, 262144, 30)),
                        new Qcow2Bitmap("y", 20, false, bits(r, 1024, 3)))));
    }

    // ---------------------------------------------------------------------------------------------- one case

    enum Verdict { REJECTED, LOADED }

    record Result(Verdict verdict, long allocated, String readWriteRefusal) {
    }

    /** Opens and reads the image on the worker thread, measuring what that thread allocates. */
    static Result load(byte[] image) throws IOException {
        long tid = Thread.currentThread().getId();
        MemoryWriteLayer layer = new MemoryWriteLayer(image);
        long before = THREADS.getThreadAllocatedBytes(tid);
        Verdict v;
        boolean cleanImage = false;
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            for (BitmapDirectoryEntry e : img.bitmaps()) {
                if (!e.inUse()) {
                    img.readBitmap(e.name());
                }
            }
            cleanImage = img.referencedButUnallocated().isEmpty();
            img.allocatedButUnreferenced();
            v = Verdict.LOADED;
        } catch (Qcow2FormatException e) {
            v = Verdict.REJECTED;
        }
        long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
        String refusal = v == Verdict.LOADED ? readWriteRoundTrip(image, cleanImage) : null;
        return new Result(v, allocated, refusal);
    }

    /**
     * Opens a loadable image read-write, adds a bitmap, marks a write and closes it; then the result must load.
     * Returns the message of the IOException with which the read-write path refused (e.g. the dirty bit is set), or
     * null.
     */
    static String readWriteRoundTrip(byte[] image, boolean cleanImage) throws IOException {
        MemoryWriteLayer mem = new MemoryWriteLayer(image);
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(mem, w -> { })) {
            if (s.image().tableEntriesFor(16) * s.image().clusterSize() <= Qcow2Image.MAX_PHYS_SIZE
                    && Qcow2Bitmap.granules(s.image().diskSize(), 16) <= (1 << 20)) {
                s.add("fuzz-added", 16, true);
            }
            s.markWrite(0, 1 << 16);
        } catch (Qcow2FormatException e) {
            throw new AssertionError("the read-write open rejected an image that loaded: " + e.getMessage(), e);
        } catch (IOException e) {
            return e.getMessage().replaceAll("0x[0-9a-f]+", "0x…");
        }
        if (cleanImage) {
            try (Qcow2Image again = Qcow2Image.open(new MemoryWriteLayer(mem.toByteArray()))) {
                for (BitmapDirectoryEntry e : again.bitmaps()) {
                    if (!e.inUse()) {
                        again.readBitmap(e.name());
                    }
                }
                assertThat(again.referencedButUnallocated()).as("clusters referenced with refcount 0").isEmpty();
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------- the run

    @Test
    void every_hostile_image_is_rejected_with_a_format_error_or_loads_in_bounded_time_and_memory() throws Exception {
        int cases = Integer.getInteger("fuzz.cases", 5000);
        long seed = Long.getLong("fuzz.seed", 0x5eed_b17L);
        long started = System.nanoTime();
        long maxAllocated = 0;
        long maxHeapSampled = 0;
        int rejected = 0;
        int loaded = 0;
        int refused = 0;
        String maxCase = "";
        Set<String> refusals = new TreeSet<>();
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = new SplittableRandom(seed ^ (0x9e3779b97f4a7c15L * (i + 1)));
            Base b = bases.get(r.nextInt(bases.size()));
            StringBuilder what = new StringBuilder();
            byte[] image = HostileImages.mutate(r, b, what);
            String label = "case " + i + " (seed " + Long.toHexString(seed) + ", " + b.label() + "):" + what;
            Future<Result> f = worker.submit(() -> load(image));
            Result res;
            try {
                res = f.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new AssertionError(label + " took longer than " + CASE_TIMEOUT_MS + " ms" + saved(i, image));
            } catch (ExecutionException e) {
                throw new AssertionError(label + " threw " + e.getCause() + saved(i, image), e.getCause());
            }
            if (res.verdict() == Verdict.REJECTED) {
                rejected++;
            } else {
                loaded++;
            }
            if (res.readWriteRefusal() != null) {
                refused++;
                refusals.add(res.readWriteRefusal());
            }
            if (res.allocated() > ALLOCATION_BOUND) {
                fail("%s allocated %d bytes, more than the bound %d%s", label, res.allocated(), ALLOCATION_BOUND,
                        saved(i, image));
            }
            if (res.allocated() > maxAllocated) {
                maxAllocated = res.allocated();
                maxCase = label;
            }
            if ((i & 255) == 0) {
                maxHeapSampled = Math.max(maxHeapSampled,
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
        }
        long peakPools = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                peakPools += p.getPeakUsage().getUsed();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String summary = String.format("qcow2 fuzz: %d cases in %.1f s (seed %x): %d rejected with"
                + " Qcow2FormatException, %d loaded (%d of them refused read-write with an IOException: %s);"
                + " max allocation per case %d bytes (%s); heap used sampled max %d MiB, sum of heap pool peaks"
                + " %d MiB, max heap %d MiB%n", cases, seconds, seed, rejected, loaded, refused, refusals, maxAllocated,
                maxCase, maxHeapSampled >> 20, peakPools >> 20, Runtime.getRuntime().maxMemory() >> 20);
        System.out.print(summary);
        Path out = Path.of("target", "fuzz-summary.txt");
        if (Files.isDirectory(out.getParent())) {
            Files.writeString(out, summary, StandardCharsets.UTF_8);
        }
        assertThat(rejected + loaded).isEqualTo(cases);
        assertThat(rejected).as("hostile images rejected").isPositive();
    }

    /** Saves a failing case's image, so that it replays by file as well as by seed; says where. */
    private static String saved(int i, byte[] image) {
        try {
            java.nio.file.Path dir = java.nio.file.Path.of("target", "fuzz-failures");
            Files.createDirectories(dir);
            java.nio.file.Path file = dir.resolve("qcow2-case-" + i + ".qcow2");
            Files.write(file, image);
            return "; the image is saved as " + file;
        } catch (java.io.IOException e) {
            return "; the image could not be saved: " + e.getMessage();
        }
    }
}
