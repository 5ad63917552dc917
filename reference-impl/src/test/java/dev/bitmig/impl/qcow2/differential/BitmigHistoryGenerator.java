package dev.bitmig.impl.qcow2.differential;

import dev.bitmig.impl.qcow2.differential.BitmigHistory.Writer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random histories for bitmig to write: random bitmap sets (contents, granularities from 512 B to 2 GiB, names,
 * AUTO and IN_USE), replaced, re-flagged in place and removed. Everything comes from the seed.
 */
final class BitmigHistoryGenerator {
    private final SplittableRandom random;
    private final Names names;
    private long size;

    private BitmigHistoryGenerator(long seed) {
        this.random = new SplittableRandom(seed);
        this.names = new Names(random, true);
    }

    static BitmigHistory generate(long seed) {
        return new BitmigHistoryGenerator(seed).history(seed);
    }

    private BitmigHistory history(long seed) {
        Writer writer = random.nextInt(5) < 3 ? Writer.IMAGE : Writer.STORE;
        List<BitmigStep> steps = new ArrayList<>();
        if (writer == Writer.STORE) {
            size = (1L + random.nextInt(64)) << (9 + random.nextInt(18));
            steps.add(new BitmigStep.Create(size, 16));
        } else {
            long bytes = 1L << (9 + random.nextInt(24));
            size = random.nextBoolean() ? bytes : bytes + (random.nextLong(bytes) & ~511L);
            if (random.nextInt(20) == 0) {
                size += 1 + random.nextInt(511);
            }
            steps.add(new BitmigStep.Create(size, random.nextInt(3) == 0 ? 9 + random.nextInt(13) : 16));
        }
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(100);
            if (kind < 60 || i == 0) {
                steps.add(store());
            } else if (kind < 82) {
                steps.add(new BitmigStep.SetFlags(names.pick(), random.nextInt(3) == 0, random.nextBoolean()));
            } else {
                String name = names.pick();
                names.removed(name);
                steps.add(new BitmigStep.Remove(name));
            }
        }
        return new BitmigHistory(seed, writer, steps);
    }

    private BitmigStep store() {
        Map<String, BitmigStep.Entry> entries = new LinkedHashMap<>();
        for (int k = 1 + random.nextInt(4); k > 0; k--) {
            String name = random.nextInt(10) < 7 ? names.fresh() : names.pick();
            names.added(name);
            BitmigStep.Shape shape = BitmigStep.Shape.values()[random.nextInt(BitmigStep.Shape.values().length)];
            entries.put(name, new BitmigStep.Entry(name, granularityBits(), random.nextInt(10) < 7,
                    random.nextInt(7) == 0, new BitmigStep.Contents(shape, random.nextLong())));
        }
        return new BitmigStep.Store(List.copyOf(entries.values()));
    }

    /** 9 (512 B) to 31 (2 GiB); on big disks mostly coarse enough to stay within 2^24 granules. */
    private int granularityBits() {
        int min = 9;
        while (min < 31 && (size >>> min) > (1L << 24) && random.nextInt(10) != 0) {
            min++;
        }
        return min + random.nextInt(32 - min);
    }
}
