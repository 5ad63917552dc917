package dev.bitmig.report;

import dev.bitmig.check.Explorer;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The explorer's progress on stderr. On a terminal: one line, rewritten every second, and kept after each level. Not on
 * a terminal: nothing, or with --progress one line every 10 seconds and one after each level.
 */
final class ProgressLine implements Consumer<Explorer.Progress> {
    private static final long QUIET_NANOS = 10_000_000_000L;
    private final PrintWriter err;
    private final boolean terminal;
    private final boolean enabled;
    private long lastPrinted = System.nanoTime();
    private boolean open;
    private String policy = "";

    ProgressLine(PrintWriter err, boolean requested) {
        this.err = err;
        this.terminal = stderrIsTerminal();
        this.enabled = terminal || requested;
    }

    /** Whether stderr is a terminal: the launcher says so ({@code [ -t 2 ]}), else the file descriptor's link. */
    static boolean stderrIsTerminal() {
        String said = System.getProperty("bitmig.stderrTerminal");
        if (said != null) {
            return Boolean.parseBoolean(said);
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception | Error e) {
            return false;
        }
    }

    boolean enabled() {
        return enabled;
    }

    /** The heap the run may use, said once before the first policy. */
    synchronized void heap(long maxBytes) {
        if (enabled) {
            err.printf(Locale.ROOT, "bitmig: heap %.1f GiB (the launcher's BITMIG_HEAP, default 8g)%n", maxBytes / (double) (1L << 30));
            err.flush();
        }
    }

    synchronized void policy(String name) {
        policy = name;
    }

    @Override
    public synchronized void accept(Explorer.Progress p) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (!p.levelDone() && (terminal ? now - lastPrinted < 1_000_000_000L : now - lastPrinted < QUIET_NANOS)) {
            return;
        }
        lastPrinted = now;
        String line = line(p);
        if (terminal) {
            err.print("\r" + line + "   ");
            open = true;
            if (p.levelDone()) {
                err.println();
                open = false;
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    private String line(Explorer.Progress p) {
        double secs = p.elapsedNanos() / 1e9;
        if (!p.levelDone()) {
            return String.format(Locale.ROOT, "%s depth %d: %.0f%% of %,d states expanded, %,d distinct so far, "
                    + "heap %s, %.0f s", policy, p.depth(), 100 * p.fraction(), p.frontier(), p.distinct(),
                    gib(p.heapUsed()), secs);
        }
        String next = p.nextEstimate() > 0 ? String.format(Locale.ROOT, "; next level about %,d states, %.0f s",
                p.nextEstimate(), p.nextSeconds()) : "";
        return String.format(Locale.ROOT, "%s depth %d: %,d distinct (%,d new), %,.0f states/s, heap %s, %.0f s%s",
                policy, p.depth(), p.distinct(), p.levelStates(), p.statesPerSecond(), gib(p.heapUsed()), secs, next);
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    synchronized void done() {
        if (open) {
            err.println();
            err.flush();
            open = false;
        }
    }
}
