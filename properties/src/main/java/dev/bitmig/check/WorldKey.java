package dev.bitmig.check;

import dev.bitmig.model.World;

import java.util.Arrays;

/**
 * A world's canonical encoding as a value ({@link WorldEncoder}, no renaming of names or lineage ids): equal keys iff the worlds are equal up
 * to what no transition and no invariant reads. The explorer keeps only fingerprints of it; tests compare keys.
 */
public final class WorldKey {
    private final byte[] bytes;
    private final int hash;

    private WorldKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static WorldKey of(World w) {
        return new WorldKey(new WorldEncoder(false).encode(w, Renaming.IDENTITY).toArray());
    }

    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorldKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
