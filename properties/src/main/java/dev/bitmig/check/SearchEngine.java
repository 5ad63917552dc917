package dev.bitmig.check;

import dev.bitmig.model.Spec;

import java.util.function.Consumer;

/**
 * An explorer that keeps its states elsewhere than in this JVM (such as on a Spark cluster), found on the class path
 * through {@link java.util.ServiceLoader}: the same search as {@link Explorer}, with the same answers. Started once,
 * then used for any number of searches, then closed.
 */
public interface SearchEngine extends AutoCloseable {

    /** The name the command line selects it by ({@code --engine NAME}). */
    String name();

    /**
     * Connect to where the search runs.
     *
     * @param master     where to run (for Spark: local[*], local[N] or a cluster's URL); null for the engine's default
     * @param partitions how many parts the states are split into; 0 for the engine's default
     * @param log        one line per level of every search
     */
    void start(String master, int partitions, Consumer<String> log);

    /** Explore the model from the initial worlds of the bounds, as {@code new Explorer(spec, bounds, ...)} would. */
    ExplorationResult explore(Spec spec, Bounds bounds, boolean symmetry);

    @Override
    void close();

    /** The engine of this name on the class path, if any. */
    static java.util.Optional<SearchEngine> named(String name) {
        for (SearchEngine e : java.util.ServiceLoader.load(SearchEngine.class)) {
            if (e.name().equals(name)) {
                return java.util.Optional.of(e);
            }
        }
        return java.util.Optional.empty();
    }
}
