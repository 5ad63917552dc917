package dev.bitmig.impl.qcow2.differential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Runs many random histories of one direction, each in a fresh directory that is deleted afterwards. A history
 * whose disagreements are not all explained is shrunk, then saved with its image and a report under
 * {@code target/differential-failures/}, and its seed is printed.
 */
final class Campaign<H, S> {
    private static final int SHRINK_BUDGET = 200;
    /** Long campaigns report every this many histories. */
    private static final int PROGRESS = 1000;
    private final Direction<H, S> direction;
    private final Path work;
    private final Path failures;
    private final Predicate<Disagreement> explained;
    private final FailureArchive<H> archive;

    Campaign(Direction<H, S> direction, Path work, Path failures, Predicate<Disagreement> explained,
             FailureArchive<H> archive) {
        this.direction = direction;
        this.work = work;
        this.failures = failures;
        this.explained = explained;
        this.archive = archive;
    }

    /** Figures of a finished campaign. */
    record Result(int histories, int images, int bitmaps, int inconsistent, int nonEmpty, int refusedSteps, int explained,
            List<String> unexplained, double seconds) {
        double historiesPerSecond() {
            return histories / Math.max(seconds, 1e-9);
        }
    }

    Result run(List<H> histories) throws Exception {
        long start = System.nanoTime();
        int images = 0;
        int bitmaps = 0;
        int inconsistent = 0;
        int nonEmpty = 0;
        int refused = 0;
        int explainedCount = 0;
        List<String> unexplained = new ArrayList<>();
        for (int i = 0; i < histories.size(); i++) {
            H h = histories.get(i);
            Trial t = play(h);
            images += t.images();
            bitmaps += t.bitmaps();
            inconsistent += t.inconsistent();
            nonEmpty += t.nonEmpty();
            refused += t.refusedSteps();
            List<Disagreement> open = t.disagreements().stream().filter(explained.negate()).toList();
            explainedCount += t.disagreements().size() - open.size();
            if (!open.isEmpty()) {
                unexplained.add(fail(h, t, open));
            }
            int done = i + 1;
            if (done % PROGRESS == 0 && done < histories.size()) {
                System.out.printf(java.util.Locale.ROOT, "%s: %d of %d histories, %d unexplained disagreements,"
                        + " %.0f s%n", direction.name(), done, histories.size(), unexplained.size(),
                        (System.nanoTime() - start) / 1e9);
            }
        }
        return new Result(histories.size(), images, bitmaps, inconsistent, nonEmpty, refused, explainedCount, unexplained,
                (System.nanoTime() - start) / 1e9);
    }

    private Trial play(H h) throws IOException {
        Path dir = Files.createTempDirectory(work, "h");
        try {
            return play(h, dir);
        } finally {
            delete(dir);
        }
    }

    /** Plays a history in {@code dir}; a history that cannot be played is a {@link Disagreement.Kind#FAILURE}. */
    private Trial play(H h, Path dir) {
        try {
            return direction.play(h, dir);
        } catch (Exception | AssertionError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Trial(List.of(new Disagreement(Disagreement.Kind.FAILURE, e.toString())), 0, 0, 0, 0, 0,
                    "the history could not be played: " + e);
        }
    }

    private String fail(H original, Trial trial, List<Disagreement> open) throws Exception {
        Set<Disagreement.Kind> kinds = EnumSet.noneOf(Disagreement.Kind.class);
        open.forEach(d -> kinds.add(d.kind()));
        H shrunk = Shrinker.shrink(direction, original, h -> {
            try {
                return play(h).disagreements().stream().anyMatch(d -> !explained.test(d) && kinds.contains(d.kind()));
            } catch (Exception e) {
                return false;
            }
        }, SHRINK_BUDGET);
        Path saved = failures.resolve(direction.name() + "-seed-" + direction.seed(original));
        Files.createDirectories(saved);
        archive.write(original, saved.resolve("history.json"));
        archive.write(shrunk, saved.resolve("shrunk.json"));
        Path dir = Files.createTempDirectory(work, "replay");
        try {
            Trial again = play(shrunk, dir);
            if (Files.exists(direction.image(dir))) {
                Files.copy(direction.image(dir), saved.resolve("shrunk.qcow2"));
            }
            Files.writeString(saved.resolve("report.txt"), "seed " + direction.seed(original) + "\n"
                    + "disagreements:\n  " + String.join("\n  ", open.stream().map(Disagreement::toString).toList())
                    + "\n\noriginal history (" + direction.steps(original).size() + " steps):\n" + trial.report()
                    + "\n\nshrunk history (" + direction.steps(shrunk).size() + " steps):\n" + again.report()
                    + "\n");
        } finally {
            delete(dir);
        }
        String line = direction.name() + " seed " + direction.seed(original) + ": " + open + " (shrunk from "
                + direction.steps(original).size() + " to " + direction.steps(shrunk).size() + " steps; saved in "
                + saved + ")";
        System.out.println("DISAGREEMENT " + line);
        return line;
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
