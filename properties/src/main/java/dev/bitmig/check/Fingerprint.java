package dev.bitmig.check;

import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Migration;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.PolicyState;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.World;
import io.vavr.collection.List;
import io.vavr.collection.SortedSet;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * 64-bit fingerprints of worlds, as TLC keeps them: XXH64 of the canonical {@link WorldEncoder} encoding. One instance
 * per thread.
 *
 * <p>With the symmetry reduction the fingerprint must be the same for every permutation of the bounds' bitmap names.
 * Rather than encoding every permutation and keeping the smallest, it first gives each name a signature computed from
 * what the world holds under that name (never from the name's spelling, nor from lineage ids; of the policy's state
 * only whether it mentions the name), and encodes once, with
 * the renaming that puts the names in signature order. Renaming a world permutes its signatures the same way, so both
 * worlds pick the same canonical form. Only when two names that the world holds tie does it fall back to the smallest
 * encoding over every permutation; names the world does not hold at all are interchangeable as they are.
 */
public final class Fingerprint {
    private static final XXHash64 XXH = XXHashFactory.fastestJavaInstance().hash64();
    private static final long SEED = 0x6269746d6967L;

    private final WorldEncoder encoder;
    private final Renaming[] renamings;
    /** The symmetric names, in the bounds' order. */
    private final String[] names;
    /** The renaming that sends names[order[i]] to names[i], by the order's code (see {@link #code}). */
    private final Renaming[] byOrder;
    private final long[] signature;
    private final boolean[] held;
    private final int[] order;

    /** With {@code canonicalLineages}, worlds that differ only by their lineage ids get one fingerprint. */
    Fingerprint(List<Renaming> symmetries, boolean canonicalLineages) {
        this(symmetries, canonicalLineages, false);
    }

    /** With {@code allocation}, worlds that differ in which clusters were ever written get different fingerprints. */
    Fingerprint(List<Renaming> symmetries, boolean canonicalLineages, boolean allocation) {
        this.renamings = symmetries.toJavaArray(Renaming[]::new);
        this.encoder = new WorldEncoder(canonicalLineages, allocation);
        this.names = renamings.length == 0 ? new String[0] : renamings[0].from().clone();
        int k = names.length;
        this.signature = new long[k];
        this.held = new boolean[k];
        this.order = new int[k];
        this.mentioned = new boolean[k];
        this.byOrder = new Renaming[Math.max(1, (int) Math.pow(k, k))];
        int[] o = new int[k];
        for (int i = 0; i < k; i++) {
            o[i] = i;
        }
        byOrder[code(o)] = Renaming.IDENTITY;
        for (Renaming r : renamings) {
            for (int i = 0; i < k; i++) {
                o[i] = indexOf(r.from(), r.to(), names[i]);
            }
            byOrder[code(o)] = r;
        }
    }

    /**
     * The fingerprints a search of these bounds and this policy uses: with {@code symmetry}, invariant under the
     * renamings of the bounds' names when they are interchangeable; with {@code canonicalLineages}, under lineage ids.
     */
    public static Fingerprint forSearch(Bounds b, dev.bitmig.model.Policy p, boolean symmetry, boolean canonicalLineages) {
        return new Fingerprint(Symmetry.renamings(b, p, symmetry), canonicalLineages, b.capabilities().storeFailures());
    }

    /** Whether the symmetry reduction is on: some renaming of names gives the same fingerprint. */
    public boolean symmetric() {
        return renamings.length > 0;
    }

    public long of(World w) {
        if (renamings.length == 0) {
            return hash(w, Renaming.IDENTITY);
        }
        int k = names.length;
        for (int i = 0; i < k; i++) {
            signature[i] = signature(w, names[i], i);
            order[i] = i;
        }
        // insertion sort of at most four names: by held first, then by signature
        for (int i = 1; i < k; i++) {
            int x = order[i];
            int j = i - 1;
            while (j >= 0 && before(x, order[j])) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = x;
        }
        for (int i = 0; i + 1 < k; i++) {
            int a = order[i];
            int b = order[i + 1];
            if (held[a] && held[b] && signature[a] == signature[b]) {
                return smallestOverEveryPermutation(w);
            }
        }
        return hash(w, byOrder[code(order)]);
    }

    private boolean before(int x, int y) {
        if (held[x] != held[y]) {
            return held[x];
        }
        return held[x] && Long.compareUnsigned(signature[x], signature[y]) < 0;
    }

    /** The plain canonical form: the smallest hash over every permutation (the reference the signatures must agree with). */
    long smallestOverEveryPermutation(World w) {
        long best = hash(w, Renaming.IDENTITY);
        for (Renaming r : renamings) {
            best = Math.min(best, hash(w, r));
        }
        return best;
    }

    /**
     * What the world holds under one name: its directory entry, its bitmap on each node, and whether the migration
     * carries it, with every field the encoding has except lineage ids. Sets {@code held[i]}.
     */
    private long signature(World w, String name, int i) {
        boolean any = false;
        long h = 0;
        StoredBitmap s = w.image().directory().get(name).getOrNull();
        if (s != null) {
            any = true;
            h = mix(h, 1 + s.granularity() * 4L + (s.inUse() ? 1 : 0) + (s.auto() ? 2 : 0));
            h = mix(h, bits(s.granules()));
        }
        for (NodeId id : NodeId.values()) {
            Bitmap b = w.node(id).bitmaps().get(name).getOrNull();
            h = mix(h, id.ordinal());
            if (b != null) {
                any = true;
                h = mix(h, 1 + b.granularity() * 64L + ((b.persistent() ? 1 : 0) | (b.enabled() ? 2 : 0)
                        | (b.busy() ? 4 : 0) | (b.skipStore() ? 8 : 0) | (b.inconsistent() ? 16 : 0)
                        | (b.readonly() ? 32 : 0)));
                h = mix(h, bits(b.granules()));
                h = mix(h, b.successor().isEmpty() ? 0 : (b.successor().get().enabled() ? 1 : 2)
                        + 4 * bits(b.successor().get().granules()));
            }
        }
        Migration m = w.migration();
        int carried = (m.riding().contains(name) ? 1 : 0) | (m.enabledAtStart().contains(name) ? 2 : 0)
                | (mentions(w.policyState(), i) ? 4 : 0);
        any |= carried != 0;
        h = mix(h, carried);
        held[i] = any;
        return h;
    }

    /** Whether the policy's state mentions the i-th name, walked once per state object (states are shared). */
    private boolean mentions(PolicyState state, int i) {
        if (state == PolicyState.NONE) {
            return false;
        }
        if (state != mentionsOf) {
            for (int k = 0; k < names.length; k++) {
                mentioned[k] = PolicyStateEncoding.mentions(state, names[k]);
            }
            mentionsOf = state;
        }
        return mentioned[i];
    }

    private PolicyState mentionsOf;
    private final boolean[] mentioned;

    /** A set's bits, by identity from a small cache first: the sets are immutable and shared between worlds. */
    private long bits(SortedSet<Integer> granules) {
        if (granules.isEmpty()) {
            return 0;
        }
        int slot = System.identityHashCode(granules) & (BITS_CACHE - 1);
        if (bitsKey[slot] == granules) {
            return bitsValue[slot];
        }
        long bits = granules.size();
        for (int g : granules) {
            bits ^= 1L << ((g + 8) & 63);
        }
        bitsKey[slot] = granules;
        bitsValue[slot] = bits;
        return bits;
    }

    private static final int BITS_CACHE = 512;
    private final Object[] bitsKey = new Object[BITS_CACHE];
    private final long[] bitsValue = new long[BITS_CACHE];

    private static long mix(long h, long v) {
        long x = (h ^ v) * 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 29);
    }

    private int code(int[] o) {
        int c = 0;
        for (int i = o.length - 1; i >= 0; i--) {
            c = c * names.length + o[i];
        }
        return c;
    }

    /** The position in {@code from} (the bounds' order) of the name a renaming sends to {@code target}. */
    private static int indexOf(String[] from, String[] to, String target) {
        for (int j = 0; j < to.length; j++) {
            if (to[j].equals(target)) {
                return j;
            }
        }
        throw new IllegalArgumentException("no name renamed to " + target + " in " + java.util.Arrays.toString(from));
    }

    private long hash(World w, Renaming r) {
        encoder.encode(w, r);
        return XXH.hash(encoder.buffer(), 0, encoder.length(), SEED);
    }

    /**
     * TLC's optimistic estimate of the probability that two distinct states shared a fingerprint: with n distinct
     * states and m generated successors, about n * (m - n) / 2^64.
     */
    public static double collisionProbability(long distinct, long generated) {
        return (double) distinct * Math.max(0, generated - distinct) / Math.pow(2, 64);
    }
}
