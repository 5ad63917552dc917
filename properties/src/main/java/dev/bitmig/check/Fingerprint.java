package dev.bitmig.check;

import dev.bitmig.model.World;
import io.vavr.collection.List;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * 64-bit fingerprints of worlds, as TLC keeps them: XXH64 of the canonical {@link WorldEncoder} encoding. With the
 * symmetry reduction the fingerprint is the smallest over every permutation of the bounds' bitmap names. One instance
 * per thread.
 */
final class Fingerprint {
    private static final XXHash64 XXH = XXHashFactory.fastestJavaInstance().hash64();
    private static final long SEED = 0x6269746d6967L;

    private final WorldEncoder encoder;
    private final Renaming[] renamings;

    /** With {@code canonicalLineages}, worlds that differ only by their lineage ids get one fingerprint. */
    Fingerprint(List<Renaming> symmetries, boolean canonicalLineages) {
        this.renamings = symmetries.toJavaArray(Renaming[]::new);
        this.encoder = new WorldEncoder(canonicalLineages);
    }

    long of(World w) {
        long best = hash(w, Renaming.IDENTITY);
        for (Renaming r : renamings) {
            best = Math.min(best, hash(w, r));
        }
        return best;
    }

    private long hash(World w, Renaming r) {
        encoder.encode(w, r);
        return XXH.hash(encoder.buffer(), 0, encoder.length(), SEED);
    }

    /**
     * TLC's optimistic estimate of the probability that two distinct states shared a fingerprint: with n distinct
     * states and m generated successors, about n * (m - n) / 2^64.
     */
    static double collisionProbability(long distinct, long generated) {
        return (double) distinct * Math.max(0, generated - distinct) / Math.pow(2, 64);
    }
}
