package dev.bitmig.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Failing runs in tests are saved as trace files under target/, so that every failure replays. */
final class Traces {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private Traces() {
    }

    static Path save(Trace t) {
        Path file = Path.of("target", "bitmig-traces",
                t.policy() + "-" + t.invariant() + "-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet() + ".json");
        try {
            TraceJson.write(t, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toAbsolutePath();
    }
}
