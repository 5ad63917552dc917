package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** A valid image and where its structures lie. */
    record Base(String label, byte[] bytes, int clusterSize, long extension, long directory, long directorySize,
            long refcountTable, long refcountBlock, long l1, List<Long> entries, List<Long> tables,
            List<Integer> tableSizes, List<Long> dataClusters) {

        List<Long> structureOffsets() {
            List<Long> s = new ArrayList<>(List.of(0L, directory, refcountTable, refcountBlock, l1));
            s.addAll(tables);
            s.addAll(dataClusters);
            return s;
        }

        /** Every offset where one structure starts or ends, and every cluster boundary. */
        TreeSet<Long> boundaries() {
            TreeSet<Long> b = new TreeSet<>();
            for (long c = 0; c <= bytes.length; c += clusterSize) {
                b.add(c);
            }
            for (long h : new long[] {4, 8, 20, 24, 48, 56, 72, 88, 100, 104, 112}) {
                b.add(h);
            }
            b.add(extension - 8);
            b.add(extension);
            b.add(extension + 24);
            b.add(directory + directorySize);
            for (long e : entries) {
                b.add(e);
                b.add(e + 24);
            }
            for (int i = 0; i < tables.size(); i++) {
                b.add(tables.get(i) + tableSizes.get(i) * 8L);
            }
            b.removeIf(x -> x < 0 || x > bytes.length);
            return b;
        }
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

    // ---------------------------------------------------------------------------------------------- mutations

    static void put(byte[] img, long at, int width, long v) {
        if (at < 0 || at + width > img.length) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(img);
        switch (width) {
            case 1 -> b.put((int) at, (byte) v);
            case 2 -> b.putShort((int) at, (short) v);
            case 4 -> b.putInt((int) at, (int) v);
            default -> b.putLong((int) at, v);
        }
    }

    static long get(byte[] img, long at, int width) {
        if (at < 0 || at + width > img.length) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(img);
        return switch (width) {
            case 1 -> b.get((int) at) & 0xff;
            case 2 -> b.getShort((int) at) & 0xffff;
            case 4 -> b.getInt((int) at) & 0xffffffffL;
            default -> b.getLong((int) at);
        };
    }

    /** Header, extension, directory, table and refcount fields as (offset, width). */
    static List<long[]> fields(Base b) {
        List<long[]> f = new ArrayList<>();
        long[][] header = {{0, 4}, {4, 4}, {8, 8}, {16, 4}, {20, 4}, {24, 8}, {32, 4}, {36, 4}, {40, 8}, {48, 8},
            {56, 4}, {60, 4}, {64, 8}, {72, 8}, {80, 8}, {88, 8}, {96, 4}, {100, 4}};
        f.addAll(Arrays.asList(header));
        long x = b.extension();
        f.addAll(List.of(new long[] {x - 8, 4}, new long[] {x - 4, 4}, new long[] {x, 4}, new long[] {x + 4, 4},
                new long[] {x + 8, 8}, new long[] {x + 16, 8}, new long[] {x + 24, 4}, new long[] {x + 28, 4}));
        for (long e : b.entries()) {
            f.addAll(List.of(new long[] {e, 8}, new long[] {e + 8, 4}, new long[] {e + 12, 4},
                    new long[] {e + 16, 1}, new long[] {e + 17, 1}, new long[] {e + 18, 2}, new long[] {e + 20, 4}));
        }
        for (int i = 0; i < b.tables().size(); i++) {
            for (int j = 0; j < Math.min(b.tableSizes().get(i), 8); j++) {
                f.add(new long[] {b.tables().get(i) + 8L * j, 8});
            }
        }
        f.add(new long[] {b.refcountTable(), 8});
        f.add(new long[] {b.refcountTable() + 8, 8});
        for (int k = 0; k < 12; k++) {
            f.add(new long[] {b.refcountBlock() + 2L * k, 2});
        }
        return f;
    }

    static long hostileValue(SplittableRandom r, Base b, int len) {
        List<Long> structures = b.structureOffsets();
        long cs = b.clusterSize();
        return switch (r.nextInt(16)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> Long.MAX_VALUE;
            case 4 -> Long.MIN_VALUE;
            case 5 -> 1L << 62;
            case 6 -> Integer.MAX_VALUE;
            case 7 -> 0x80000000L;
            case 8 -> 0xffffffffL;
            case 9 -> len;
            case 10 -> len - 1;
            case 11 -> ((len / cs) + r.nextInt(4)) * cs;
            case 12 -> r.nextLong(len / cs + 1) * cs;
            case 13, 14 -> structures.get(r.nextInt(structures.size())); // aliasing
            default -> r.nextLong();
        };
    }

    /** Applies one or more mutations; returns the image (possibly truncated) and a description. */
    static byte[] mutate(SplittableRandom r, Base b, StringBuilder what) {
        byte[] img = b.bytes().clone();
        int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
        List<long[]> fields = fields(b);
        for (int m = 0; m < n; m++) {
            int kind = r.nextInt(9);
            switch (kind) {
                case 0 -> { // bit flips, mostly inside metadata
                    int flips = 1 + r.nextInt(8);
                    for (int i = 0; i < flips; i++) {
                        long region = r.nextBoolean() ? r.nextInt(Math.max(1, img.length))
                                : b.structureOffsets().get(r.nextInt(b.structureOffsets().size()))
                                        + r.nextInt(Math.min(256, b.clusterSize()));
                        int bit = r.nextInt(8);
                        if (region < img.length) {
                            img[(int) region] ^= (byte) (1 << bit);
                        }
                        what.append(" flip@").append(region).append('.').append(bit);
                    }
                }
                case 1 -> { // truncation at a structure boundary (or just around it)
                    List<Long> bs = new ArrayList<>(b.boundaries());
                    long at = bs.get(r.nextInt(bs.size())) + (r.nextInt(3) == 0 ? r.nextInt(17) - 8 : 0);
                    at = Math.max(0, Math.min(img.length, at));
                    img = Arrays.copyOf(img, (int) at);
                    what.append(" truncate@").append(at);
                }
                case 2, 3 -> { // huge or aliasing value in one field
                    long[] f = fields.get(r.nextInt(fields.size()));
                    long v = hostileValue(r, b, img.length);
                    put(img, f[0], (int) f[1], v);
                    what.append(" field@").append(f[0]).append('=').append(Long.toHexString(v));
                }
                case 4 -> { // loops and self-references between the bitmap structures
                    int t = r.nextInt(b.tables().size());
                    long table = b.tables().get(t);
                    long entry = b.entries().get(t);
                    switch (r.nextInt(6)) {
                        case 0 -> put(img, table, 8, table); // a table entry pointing at its own table
                        case 1 -> put(img, entry, 8, b.directory()); // a table that is the directory
                        case 2 -> put(img, b.extension() + 16, 8, table); // the directory is a table
                        case 3 -> put(img, table + 8L * r.nextInt(Math.max(1, b.tableSizes().get(t))), 8,
                                b.dataClusters().isEmpty() ? b.refcountBlock()
                                        : b.dataClusters().get(r.nextInt(b.dataClusters().size()))); // shared data
                        case 4 -> put(img, b.refcountTable(), 8, b.refcountTable()); // reftable is its own block
                        default -> put(img, entry, 8, b.tables().get(r.nextInt(b.tables().size()))); // shared table
                    }
                    what.append(" loop#").append(t);
                }
                case 5 -> { // names with invalid bytes, or a wrong name_size
                    int e = r.nextInt(b.entries().size());
                    long at = b.entries().get(e);
                    int nameSize = (int) get(img, at + 18, 2);
                    if (r.nextInt(4) == 0) {
                        long v = switch (r.nextInt(4)) {
                            case 0 -> 0;
                            case 1 -> 0xffff;
                            case 2 -> 1024;
                            default -> nameSize + 1 + r.nextInt(16);
                        };
                        put(img, at + 18, 2, v);
                        what.append(" name_size#").append(e).append('=').append(v);
                    } else {
                        byte[][] bad = {{0}, {(byte) 0xff}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0,
                            (byte) 0x80}, {(byte) 0x80}, {(byte) 0xf8}, {(byte) 0xe2, (byte) 0x82}};
                        byte[] s = bad[r.nextInt(bad.length)];
                        int pos = r.nextInt(Math.max(1, nameSize));
                        for (int i = 0; i < s.length && pos + i < nameSize; i++) {
                            put(img, at + 24 + pos + i, 1, s[i]);
                        }
                        what.append(" name#").append(e).append('@').append(pos).append('=')
                                .append(Arrays.toString(s));
                    }
                }
                case 6 -> { // reserved flags and feature bits
                    int bit = r.nextInt(64);
                    int e = r.nextInt(b.entries().size());
                    switch (r.nextInt(7)) {
                        case 0 -> put(img, b.entries().get(e) + 12, 4,
                                get(img, b.entries().get(e) + 12, 4) | (1L << (bit % 32)));
                        case 1 -> put(img, b.tables().get(e), 8, get(img, b.tables().get(e), 8) | (1L << bit));
                        case 2 -> put(img, 72, 8, get(img, 72, 8) | (1L << bit));
                        case 3 -> put(img, 88, 8, get(img, 88, 8) ^ (1L << bit));
                        case 4 -> put(img, b.refcountTable(), 8, get(img, b.refcountTable(), 8) | (1L << (bit % 9)));
                        case 5 -> put(img, b.entries().get(e) + 20, 4, 1L << (bit % 32));
                        default -> put(img, b.entries().get(e) + 16, 1, bit);
                    }
                    what.append(" reserved#").append(e).append('.').append(bit);
                }
                case 7 -> { // a copy of one region over another (structures built from valid-looking parts)
                    int len = 8 << r.nextInt(6);
                    long from = r.nextInt(Math.max(1, img.length));
                    List<Long> s = b.structureOffsets();
                    long to = s.get(r.nextInt(s.size())) + 8L * r.nextInt(8);
                    if (from + len <= img.length && to + len <= img.length && to >= 0) {
                        System.arraycopy(img, (int) from, img, (int) to, len);
                    }
                    what.append(" splice@").append(from).append("->").append(to).append('+').append(len);
                }
                default -> { // counts and sizes of the bitmaps extension
                    long[][] f = {{b.extension(), 4}, {b.extension() + 8, 8}, {b.extension() - 4, 4},
                        {b.entries().get(0) + 8, 4}, {36, 4}, {56, 4}};
                    long[] pick = f[r.nextInt(f.length)];
                    long v = switch (r.nextInt(5)) {
                        case 0 -> get(img, pick[0], (int) pick[1]) + 1;
                        case 1 -> get(img, pick[0], (int) pick[1]) - 1;
                        case 2 -> get(img, pick[0], (int) pick[1]) * (2 + r.nextInt(1000));
                        case 3 -> 65536;
                        default -> hostileValue(r, b, img.length);
                    };
                    put(img, pick[0], (int) pick[1], v);
                    what.append(" count@").append(pick[0]).append('=').append(Long.toHexString(v));
                }
            }
        }
        return img;
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
            byte[] image = mutate(r, b, what);
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
