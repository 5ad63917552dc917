package dev.bitmig.impl.qcow2.differential;

import java.nio.file.Path;
import java.util.List;

/**
 * One direction of the differential test: how a seed becomes a history of steps, how a history is played and
 * judged in a fresh directory, and how histories are shrunk (fewer steps, simpler steps). The first step (the
 * image's creation) is never removed.
 */
interface Direction<H, S> {
    /** "qemu-writes" or "bitmig-writes": names the saved failures. */
    String name();

    H generate(long seed);

    long seed(H history);

    List<S> steps(H history);

    H withSteps(H history, List<S> steps);

    /** Simpler variants of one step (for example with one of its operations left out); none by default. */
    default List<S> simpler(S step) {
        return List.of();
    }

    Trial play(H history, Path dir) throws Exception;

    /** The image a played history left in {@code dir}. */
    Path image(Path dir);
}
