package dev.bitmig.check;

import dev.bitmig.model.ViolationClass;

import java.util.HashMap;
import java.util.Map;

/**
 * What one worker found while expanding its part of a level: per action, accepted and rejected counts; the smallest
 * candidate (frontier state × action) of each violation class and of a refinement failure. Merged in a fixed way, so
 * the result does not depend on how the level was split.
 */
final class LevelWork {
    final long[] accepted;
    final long[] rejected;
    long generated;
    final Map<ViolationClass, Long> classes = new HashMap<>();
    long refinementKey = Long.MAX_VALUE;
    String refinementMessage;

    LevelWork(int actions) {
        accepted = new long[actions];
        rejected = new long[actions];
    }

    void offer(ViolationClass c, long key) {
        classes.merge(c, key, Math::min);
    }

    void refinement(long key, String message) {
        if (key < refinementKey) {
            refinementKey = key;
            refinementMessage = message;
        }
    }

    void mergeInto(LevelWork total) {
        for (int i = 0; i < accepted.length; i++) {
            total.accepted[i] += accepted[i];
            total.rejected[i] += rejected[i];
        }
        total.generated += generated;
        classes.forEach(total::offer);
        if (refinementMessage != null) {
            total.refinement(refinementKey, refinementMessage);
        }
    }
}
