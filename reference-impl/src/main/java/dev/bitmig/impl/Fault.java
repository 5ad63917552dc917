package dev.bitmig.impl;

import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.stream.StreamFault;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Seeded faults of the implementation, selected by name. Each one makes the implementation diverge observably from the
 * model (outcome, abstraction, bits or the store log) on some short action sequence.
 */
public enum Fault {
    H1_SKIP_STORE_NOT_RESET_ON_ACTIVATION(
            "QEMU bug H1: activation does not clear skip_store, so a bitmap that rode in a failed migration is never "
                    + "stored again on the source"),
    H2_IN_USE_ENTRY_CLASHES_WITH_MIGRATED_BITMAP(
            "QEMU bug H2 (before a505475b95): load does not skip an IN_USE entry whose name is already in RAM, so the "
                    + "target's activation fails with \"Could not reopen qcow2 layer: Bitmap already exists: x\""),
    H4_READONLY_BITMAPS_NOT_RELEASED(
            "QEMU bug H4 (before fe16c7ddf8): storing with release keeps the readonly bitmaps in RAM"),
    H6_DISABLED_MIGRATING_BITMAP_NOT_FINISHED(
            "QEMU bug H6: the target never finishes a migrated bitmap that was disabled on the source: it stays busy"),
    H10_CHUNK_SIZE_32BIT_OVERFLOW(
            "QEMU bug H10: sectors per chunk computed in 32 bits is 0 for granularities of 512 KiB and more; the "
                    + "source's encoder cannot send the bits and the migration fails"),
    HBITMAP_UPPER_LEVEL_NOT_CLEARED_ON_RESET(
            "HBitmap reset leaves the summary levels set; iteration over the bits then stops early"),
    HBITMAP_COUNT_OFF_AFTER_OVERLAPPING_SET(
            "HBitmap set counts already-dirty granules again; the dirty count over-reports"),
    HBITMAP_SERIALIZE_DROPS_LAST_PARTIAL_WORD(
            "HBitmap serialization writes zero for a partly used last word: stored and migrated bits get lost"),
    HBITMAP_ZERO_LENGTH_SET(
            "QEMU bug H12: a zero-length set marks the granule before its start"),
    HBITMAP_RESET_ROUNDS_OUTWARD(
            "QEMU bug H11 (before 4.2): the active mirror resets the written range unaligned and hbitmap_reset rounds it "
                    + "outward, clearing neighbouring granules the job still had to copy"),
    STORE_WRITES_WHILE_INACTIVE(
            "block-dirty-bitmap-remove deletes the image entry even when the node is inactive (the image belongs to "
                    + "someone else)"),
    STORE_NO_IN_USE_ON_OPEN(
            "a read-write open loads the bitmaps but does not set IN_USE on their image entries"),
    MERGE_IGNORES_GRANULARITY(
            "block-dirty-bitmap-merge copies granule indexes across different granularities without regraining"),
    CANARY_NOT_RECORDED_BY_TARGET(
            "canary policies: the target skips the canary entry when it loads, so it never records into it and a "
                    + "dirty image looks clean"),
    SUCCESSOR_NOT_MERGED_AT_COMPLETE(
            "the target's reclaim keeps only the successor's bits and drops the bits that arrived in the stream"),
    DROP_ON_INACTIVATE_KEEPS_TRANSIENT(
            "DROP_ON_INACTIVATE: inactivation drops only the persistent bitmaps and keeps transient ones live"),
    START_ENABLED_FLAG_IGNORED_BY_TARGET(
            "the target ignores the ENABLED flag of a START record and creates no successor for the bitmap"),
    BACKUP_FAILURE_DROPS_SUCCESSOR(
            "a backup job that fails or is cancelled with bitmap-mode on-success or never forgets to reclaim the "
                    + "successor: the writes made during the job are dropped instead of merged back into the bitmap"),
    ABDICATE_KEEPS_OLD_BITS(
            "a backup job's abdicate keeps the frozen bitmap's old bits next to the successor's, so the bitmap "
                    + "reports again what the backup already copied"),
    STORE_FAILURE_NOT_REPORTED(
            "a bitmap store that fails when QEMU quits (no write access, a name already in the image, or a full "
                    + "volume) is swallowed: "
                    + "the process exits without printing \"Lost persistent bitmaps ...\", so the user is never told");

    private final String description;

    Fault(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Lookup by name, case-insensitive. */
    public static Fault byName(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    /** Faults from a comma-separated list of names; blank gives none. */
    public static Set<Fault> parse(String names) {
        Set<Fault> out = EnumSet.noneOf(Fault.class);
        if (names == null || names.isBlank()) {
            return out;
        }
        for (String n : names.split(",")) {
            if (!n.isBlank()) {
                out.add(byName(n));
            }
        }
        return out;
    }

    /** The HBitmap faults that these faults switch on; pass them to every HBitmap created. */
    public static Set<HBitmap.Fault> hbitmapFaults(Set<Fault> faults) {
        Set<HBitmap.Fault> out = EnumSet.noneOf(HBitmap.Fault.class);
        if (faults.contains(HBITMAP_UPPER_LEVEL_NOT_CLEARED_ON_RESET)) out.add(HBitmap.Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET);
        if (faults.contains(HBITMAP_COUNT_OFF_AFTER_OVERLAPPING_SET)) out.add(HBitmap.Fault.COUNT_OFF_AFTER_OVERLAPPING_SET);
        if (faults.contains(HBITMAP_SERIALIZE_DROPS_LAST_PARTIAL_WORD)) out.add(HBitmap.Fault.SERIALIZE_DROPS_LAST_PARTIAL_WORD);
        if (faults.contains(HBITMAP_ZERO_LENGTH_SET)) out.add(HBitmap.Fault.ZERO_LENGTH_SET_RESET);
        if (faults.contains(HBITMAP_RESET_ROUNDS_OUTWARD)) out.add(HBitmap.Fault.RESET_ROUNDS_OUTWARD);
        return out;
    }

    /** The stream encoder faults that these faults switch on. */
    public static Set<StreamFault> streamFaults(Set<Fault> faults) {
        Set<StreamFault> out = EnumSet.noneOf(StreamFault.class);
        if (faults.contains(H10_CHUNK_SIZE_32BIT_OVERFLOW)) out.add(StreamFault.CHUNK_SIZE_32BIT_OVERFLOW);
        return out;
    }
}
