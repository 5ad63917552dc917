package dev.bitmig.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One seeded fuzz run: how many cases, the seed, and each case run on a worker thread within a time bound and an
 * allocation bound that the worker's own allocation counter measures. Case {@code i} is reproducible from the seed and
 * {@code i} alone; a failing case names both and leaves its input under {@code target/fuzz-failures/}. A run stops
 * after {@link #MAX_FAILURES} failing cases and reports them together.
 *
 * <p>{@code -Dfuzz.cases=N} sets the number of cases (the build passes 5,000, the {@code fuzz} profile one million; a
 * fuzzer may scale it), {@code -Dfuzz.seed=S} the seed (hexadecimal), {@code -Dfuzz.case=I,J} runs those cases only.
 */
public final class FuzzRun implements AutoCloseable {
    /** A run stops after this many failing cases and reports them all. */
    static final int MAX_FAILURES = 8;

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final String name;
    private final long seed;
    private final int[] cases;
    private final long timeoutMillis;
    private final long allocationBound;
    private ExecutorService worker;
    private final java.util.List<AssertionError> failures = new java.util.ArrayList<>();
    private final long started = System.nanoTime();
    private long maxAllocated;
    private String maxCase = "";
    private long totalAllocated;
    private long slowest;
    private String slowestCase = "";
    private int done;

    /**
     * @param name            the fuzzer's name, in messages and in the names of saved inputs
     * @param scale           cases = fuzz.cases × scale (at least one)
     * @param defaultSeed     the seed when {@code fuzz.seed} is not set
     * @param timeoutMillis   the longest one case may take
     * @param allocationBound the most one case may allocate on its thread, in bytes
     */
    public FuzzRun(String name, double scale, long defaultSeed, long timeoutMillis, long allocationBound) {
        this.name = name;
        String s = System.getProperty("fuzz.seed");
        this.seed = s == null || s.isBlank() ? defaultSeed : Long.parseUnsignedLong(s.strip(), 16);
        int cases = Math.max(1, (int) Math.round(Integer.getInteger("fuzz.cases", 5000) * scale));
        String only = System.getProperty("fuzz.case", "").strip();
        this.cases = only.isEmpty() ? java.util.stream.IntStream.range(0, cases).toArray()
                : java.util.Arrays.stream(only.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
        this.timeoutMillis = timeoutMillis;
        this.allocationBound = allocationBound;
        this.worker = newWorker();
        System.out.printf("%s: seed %x, %d cases (replay some with -Dfuzz.seed=%x -Dfuzz.case=I,J)%n", name, seed,
                this.cases.length, seed);
    }

    private ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + "-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** The case numbers this run makes: 0 to the count, or those that {@code -Dfuzz.case=I,J,…} names. */
    public int[] cases() {
        return cases;
    }

    public long seed() {
        return seed;
    }

    /** The random source of case {@code i}: depends on the seed and {@code i} only. */
    public SplittableRandom random(int i) {
        return new SplittableRandom(seed ^ (0x9e3779b97f4a7c15L * (i + 1)));
    }

    /** "case I (seed S)": how a message names a case so that it replays. */
    public String label(int i) {
        return name + " case " + i + " (seed " + Long.toHexString(seed) + ", replay with -Dfuzz.seed="
                + Long.toHexString(seed) + " -Dfuzz.case=" + i + ")";
    }

    /** Saves a failing case's input under target/fuzz-failures/ and returns where. */
    public Path save(int i, String suffix, byte[] input) {
        Path f = Path.of("target", "fuzz-failures", name + "-seed-" + Long.toHexString(seed) + "-case-" + i + suffix);
        try {
            Files.createDirectories(f.getParent());
            Files.write(f, input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f.toAbsolutePath();
    }

    /**
     * Runs one case on the worker thread. A case that throws, takes too long or allocates too much is recorded as a
     * failure (with its label, what it was, and where its input was saved) and gives null.
     */
    public <T> T run(int i, String what, byte[] input, String suffix, Callable<T> body) {
        Object[] result = new Object[1];
        long t0 = System.nanoTime();
        Future<Long> f = worker.submit(() -> {
            long tid = Thread.currentThread().getId();
            long before = THREADS.getThreadAllocatedBytes(tid);
            result[0] = body.call();
            return THREADS.getThreadAllocatedBytes(tid) - before;
        });
        long allocated;
        try {
            allocated = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            fail(i, what, input, suffix, "took longer than " + timeoutMillis + " ms", null);
            return null;
        } catch (ExecutionException e) {
            fail(i, what, input, suffix, "threw " + e.getCause(), e.getCause());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(label(i) + " interrupted", e);
        }
        if (allocated > allocationBound) {
            fail(i, what, input, suffix, "allocated " + allocated + " bytes, more than the bound " + allocationBound,
                    null);
            return null;
        }
        totalAllocated += allocated;
        done++;
        long nanos = System.nanoTime() - t0;
        if (nanos > slowest) {
            slowest = nanos;
            slowestCase = "case " + i + ": " + abbreviate(what, 160);
        }
        if (allocated > maxAllocated) {
            maxAllocated = allocated;
            maxCase = "case " + i + ": " + abbreviate(what, 160);
        }
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    /** Records a failed case: its label, what it was, the problem, and where its input is saved. */
    public void fail(int i, String what, byte[] input, String suffix, String problem, Throwable cause) {
        Path saved = save(i, suffix, input);
        AssertionError e = new AssertionError(label(i) + ": " + abbreviate(what, 400) + ": "
                + problem.replace("\r", "\\r").replace("\n", "\\n")
                + "; input saved as " + saved, cause);
        if (failures.size() < MAX_FAILURES) {
            failures.add(e);
        }
    }

    /** Whether the run should stop: enough failures are recorded to act on. */
    public boolean enoughFailures() {
        return failures.size() >= MAX_FAILURES;
    }

    /** Fails with every recorded failure, the first as the cause. */
    public void assertNoFailures() {
        if (!failures.isEmpty()) {
            StringBuilder b = new StringBuilder(failures.size() + " failing case(s):");
            failures.forEach(f -> b.append("\n  ").append(f.getMessage()));
            AssertionError e = new AssertionError(b.toString(), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    public static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…(" + s.length() + " chars)";
    }

    /** One line for the build log and target/NAME-summary.txt: cases, time, allocation. */
    public String summary(String detail) {
        double seconds = (System.nanoTime() - started) / 1e9;
        String s = String.format(java.util.Locale.ROOT, "%s: %d cases in %.1f s (seed %x): %s; allocation per case:"
                + " max %d bytes (%s), mean %d bytes; bound %d bytes; slowest case %.0f ms (%s); heap max %d MiB%n",
                name, done, seconds, seed, detail, maxAllocated, maxCase, done == 0 ? 0 : totalAllocated / done,
                allocationBound, slowest / 1e6, slowestCase, Runtime.getRuntime().maxMemory() >> 20);
        System.out.print(s);
        Path out = Path.of("target", name + "-summary.txt");
        if (Files.isDirectory(out.getParent())) {
            try {
                Files.writeString(out, s, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return s;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
