package dev.bitmig.live;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verdicts on known disagreement signatures, decided by reading QEMU's source (qemu/qemu: block/qcow2-bitmap.c,
 * block/dirty-bitmap.c, migration/block-dirty-bitmap.c, migration/migration.c, block.c). A signature not listed here
 * is reported as undecided.
 */
final class Verdicts {
    private Verdicts() {
    }

    record Verdict(String verdict, String explanation) {
    }

    private static final Map<String, Verdict> KNOWN = new LinkedHashMap<>();

    static Verdict of(String signature) {
        for (var e : KNOWN.entrySet()) {
            if (signature.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return new Verdict("undecided", "not yet traced in QEMU's source");
    }
}
