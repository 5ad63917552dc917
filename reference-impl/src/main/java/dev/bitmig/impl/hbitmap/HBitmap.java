package dev.bitmig.impl.hbitmap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A hierarchical bitmap in the design of QEMU's {@code util/hbitmap.c}.
 *
 * <p>The bitmap covers {@link #size()} <em>items</em>. Each stored bit (a <em>granule</em>) covers
 * {@code 2^granularity} items, so the bitmap stores {@code ceil(size / 2^granularity)} bits. The bits live in the last
 * of {@link #LEVELS} levels of 64-bit words; in every upper level bit N is set iff word N of the level below is
 * non-zero. Iteration therefore skips clean regions 64 words at a time per level. Words are allocated lazily, in
 * pages, so large sparse bitmaps are cheap.
 *
 * <p>Set and reset of one word or two neighbouring words take an inlined path without loops; longer ranges,
 * serialization and SHA-256 loop over whole pages, merge over the source's non-zero words; the count and the upper
 * levels change only where a word changed (became zero or non-zero), never by a rebuild. Iteration is one item per
 * {@link Iter#next()} call, as hbitmap_iter_next, or a batch per {@link Iter#next(long[])} call.
 *
 * <p>Semantics follow current QEMU: {@code set} rounds outward to granules, {@code reset} is strict (granule-aligned,
 * or ending exactly at the bitmap end), {@link #count()} is the number of set granules shifted left by the
 * granularity, serialization covers the last level only as little-endian 64-bit words.
 *
 * <p>Seeded faults ({@link Fault}) reproduce historical or plausible bugs so that a checker can be shown to catch them.
 * With no faults the bitmap is correct. Not thread-safe.
 */
public final class HBitmap {

    /** Number of levels, as QEMU on 64-bit hosts (HBITMAP_LEVELS). */
    public static final int LEVELS = 7;
    /** log2 of the largest supported number of granules (HBITMAP_LOG_MAX_SIZE). */
    public static final int LOG_MAX_SIZE = 41;
    /** Largest granularity for which serialization is defined ({@code 64 << granularity} must fit in 64 bits). */
    public static final int MAX_SERIALIZABLE_GRANULARITY = 57;

    private static final int BITS_PER_LEVEL = 6;
    private static final int LAST = LEVELS - 1;
    /** Little-endian 64-bit words in a byte array: QEMU's serialized last level (cpu_to_le64s), written in bulk. */
    private static final VarHandle LE_WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Seeded faults, selected by name by the checker. Each produces wrong observable behaviour. */
    public enum Fault {
        /** Reset clears last-level bits but never clears the summary bits above; iteration then stops early. */
        UPPER_LEVEL_NOT_CLEARED_ON_RESET,
        /** Set adds the whole range length to the count even for granules that were already set. */
        COUNT_OFF_AFTER_OVERLAPPING_SET,
        /** Serialization writes zero for the last word when it is only partly used by the bitmap. */
        SERIALIZE_DROPS_LAST_PARTIAL_WORD,
        /** QEMU bug H11: reset rounded unaligned ranges outward instead of rejecting them, clearing other bits. */
        RESET_ROUNDS_OUTWARD,
        /** QEMU bug H12: zero-length set/reset computed last = start - 1 and acted on the item before start. */
        ZERO_LENGTH_SET_RESET
    }

    /** A dirty area found by {@link #nextDirtyArea}: items {@code [offset, offset + length)}. */
    public record Area(long offset, long length) {
        public long end() {
            return offset + length;
        }
    }

    private final int granularity;
    private final Set<Fault> faults;
    // The seeded faults as flags, read on the hot paths instead of the set.
    private final boolean upperLevelNotCleared;
    private final boolean countOffAfterOverlappingSet;
    private final boolean serializeDropsLastPartialWord;
    private final boolean resetRoundsOutward;
    private final boolean zeroLengthSetReset;
    /** No seeded fault: set and reset may take their one-word fast paths. */
    private final boolean plain;
    private long origSize;
    private long granules;
    private long count;
    private final Words[] levels = new Words[LEVELS];
    /** {@code levels[LAST]}, the bits themselves; a field so that the hot paths need no array access to reach it. */
    private final Words bottom;
    /** {@code bottom}'s pages, for the hot paths: one load less than through {@link Words}; renewed by truncate. */
    private long[][] lastPages;
    /** The pages of the level above the last, for the iterator; renewed by truncate. */
    private long[][] summaryPages;
    private long wordsVisited;

    private HBitmap(long size, int granularity, Set<Fault> faults) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        if (granularity < 0 || granularity > 63) {
            throw new IllegalArgumentException("granularity shift must be in [0, 63]: " + granularity);
        }
        this.granularity = granularity;
        this.faults = faults.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(faults));
        this.upperLevelNotCleared = faults.contains(Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET);
        this.countOffAfterOverlappingSet = faults.contains(Fault.COUNT_OFF_AFTER_OVERLAPPING_SET);
        this.serializeDropsLastPartialWord = faults.contains(Fault.SERIALIZE_DROPS_LAST_PARTIAL_WORD);
        this.resetRoundsOutward = faults.contains(Fault.RESET_ROUNDS_OUTWARD);
        this.zeroLengthSetReset = faults.contains(Fault.ZERO_LENGTH_SET_RESET);
        this.plain = faults.isEmpty();
        this.origSize = size;
        this.granules = granulesFor(size, granularity);
        long words = granules;
        for (int i = LAST; i >= 0; i--) {
            words = Math.max((words + 63) >>> BITS_PER_LEVEL, 1);
            levels[i] = new Words(words);
        }
        bottom = levels[LAST];
        lastPages = bottom.pages();
        summaryPages = levels[LAST - 1].pages();
    }

    private HBitmap(HBitmap other) {
        this.granularity = other.granularity;
        this.faults = other.faults;
        this.upperLevelNotCleared = other.upperLevelNotCleared;
        this.countOffAfterOverlappingSet = other.countOffAfterOverlappingSet;
        this.serializeDropsLastPartialWord = other.serializeDropsLastPartialWord;
        this.resetRoundsOutward = other.resetRoundsOutward;
        this.zeroLengthSetReset = other.zeroLengthSetReset;
        this.plain = other.plain;
        this.origSize = other.origSize;
        this.granules = other.granules;
        this.count = other.count;
        for (int i = 0; i < LEVELS; i++) {
            levels[i] = other.levels[i].copy();
        }
        bottom = levels[LAST];
        lastPages = bottom.pages();
        summaryPages = levels[LAST - 1].pages();
    }

    private static long granulesFor(long size, int granularity) {
        long g = size == 0 ? 0 : ((size - 1) >>> granularity) + 1;
        if (g > (1L << LOG_MAX_SIZE)) {
            throw new IllegalArgumentException("bitmap too large: " + size + " items at granularity " + granularity
                    + " need " + g + " bits, more than 2^" + LOG_MAX_SIZE);
        }
        return g;
    }

    /** A correct bitmap of {@code sizeInItems} items, each bit covering {@code 2^granularityShift} items. */
    public static HBitmap create(long sizeInItems, int granularityShift) {
        return new HBitmap(sizeInItems, granularityShift, EnumSet.noneOf(Fault.class));
    }

    /** A bitmap with the given seeded faults; an empty set gives the correct bitmap. */
    public static HBitmap create(long sizeInItems, int granularityShift, Set<Fault> faults) {
        return new HBitmap(sizeInItems, granularityShift, Objects.requireNonNull(faults));
    }

    /** A correct bitmap with the given granules set (granule indexes, not items). */
    public static HBitmap fromGranules(long sizeInItems, int granularityShift, long... dirtyGranules) {
        HBitmap hb = create(sizeInItems, granularityShift);
        for (long g : dirtyGranules) {
            if (g < 0 || g >= hb.granules) {
                throw new IllegalArgumentException("granule " + g + " outside [0, " + hb.granules + ")");
            }
            hb.setGranules(g, g);
        }
        return hb;
    }

    /** A correct bitmap with the granules of {@code dirtyGranules} set. */
    public static HBitmap fromBitSet(long sizeInItems, int granularityShift, BitSet dirtyGranules) {
        return fromGranules(sizeInItems, granularityShift, dirtyGranules.stream().asLongStream().toArray());
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** Size in items (QEMU's orig_size). */
    public long size() {
        return origSize;
    }

    /** Number of stored bits, {@code ceil(size / 2^granularity)}. */
    public long sizeInGranules() {
        return granules;
    }

    /** The granularity shift: each bit covers {@code 2^granularity()} items. */
    public int granularity() {
        return granularity;
    }

    public Set<Fault> faults() {
        return faults;
    }

    /** Dirty items, counted in whole granules: set bits shifted left by the granularity (hbitmap_count). O(1). */
    public long count() {
        return count << granularity;
    }

    /** Number of set bits. O(1). */
    public long countGranules() {
        return count;
    }

    /** Whether no bit is set. O(1). */
    public boolean isEmpty() {
        return count == 0;
    }

    /** Words read by iteration and by the next-dirty/next-zero searches since creation or the last reset. */
    public long wordsVisited() {
        return wordsVisited;
    }

    public void resetWordsVisited() {
        wordsVisited = 0;
    }

    /** Number of allocated storage pages over all levels; shows that untouched regions cost nothing. */
    public int allocatedPages() {
        int n = 0;
        for (Words w : levels) {
            n += w.allocatedPages();
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ get/set/reset

    /** Whether the granule holding {@code item} is dirty. */
    public boolean get(long item) {
        if (item < 0 || item >= origSize) {
            throw new IndexOutOfBoundsException("item " + item + " outside [0, " + origSize + ")");
        }
        long pos = item >>> granularity;
        return (bottom.get(pos >>> BITS_PER_LEVEL) & (1L << pos)) != 0;
    }

    private void checkRange(String op, long start, long count) {
        // start > origSize makes origSize - start negative, so the last test covers it.
        if ((start | count) < 0 || count > origSize - start) {
            throw new IllegalArgumentException(op + "(" + start + ", " + count + ") outside the bitmap of "
                    + origSize + " items");
        }
    }

    /** Marks items {@code [start, start + count)} dirty, rounding outward to whole granules. */
    public void set(long start, long count) {
        checkRange("set", start, count);
        if (count == 0) {
            // FAULT ZERO_LENGTH_SET_RESET (H12): last = start - 1 touches the granule before start.
            if (zeroLengthSetReset && start > 0) {
                long g = (start - 1) >>> granularity;
                setGranules(g, g);
            }
            return;
        }
        long first = start >>> granularity;
        long last = (start + count - 1) >>> granularity;
        // The common guest write: one word, or two neighbours on one page, on a page that exists, of a bitmap without
        // seeded faults, set here with no loop and no branch on the number of words (see orPair). Small enough for the
        // JIT to inline into the caller's loop; longer ranges, a page to allocate or a fault go through setGranules.
        long i = first >>> BITS_PER_LEVEL;
        long j = last >>> BITS_PER_LEVEL;
        long[] page;
        if (j - i <= 1 && (i >>> Words.PAGE_SHIFT) == (j >>> Words.PAGE_SHIFT) && plain
                && (page = lastPages[(int) (i >>> Words.PAGE_SHIFT)]) != null) {
            orPair(page, i, j, first, last);
            return;
        }
        setGranules(first, last);
    }

    /**
     * Sets granules {@code [first, last]} of last-level words {@code i} and {@code j = i} or {@code i + 1}, both on
     * {@code page}. Both words are ORed: with one word, its mask twice (the second OR changes nothing); with two, the
     * part of the range in each. The stores are unconditional and the count and the level above are only touched when
     * a word changed: measured, an update of the count from every loaded word (even one that changes nothing) halves
     * the rate of random writes that miss the cache, while a well-predicted branch costs nothing; so does the second
     * OR, where a branch on the number of words was mispredicted for the one write in eight that spans two words.
     */
    private void orPair(long[] page, long i, long j, long first, long last) {
        long two = -(j - i); // all ones for two words, zero for one
        long lo = -1L << first;
        long hi = -1L >>> ~last;
        int ki = (int) (i & Words.PAGE_MASK);
        long oldI = page[ki];
        long nowI = oldI | (lo & (hi | two));
        page[ki] = nowI;
        int kj = (int) (j & Words.PAGE_MASK);
        long oldJ = page[kj];
        long nowJ = oldJ | (hi & (lo | two));
        page[kj] = nowJ;
        if (((nowI ^ oldI) | (nowJ ^ oldJ)) != 0) {
            this.count += Long.bitCount(nowI ^ oldI) + Long.bitCount(nowJ ^ oldJ);
            if (oldI == 0) {
                markNonZero(LAST - 1, i);
            }
            if (oldJ == 0) {
                markNonZero(LAST - 1, j);
            }
        }
    }

    /** Sets granules {@code [first, last]}; the count grows by the granules that were clean (hbitmap_set). */
    private void setGranules(long first, long last) {
        long added = orRange(first, last);
        // FAULT COUNT_OFF_AFTER_OVERLAPPING_SET: counts the whole range, also the granules that were already set.
        count += countOffAfterOverlappingSet ? last - first + 1 : added;
    }

    /**
     * Clears items {@code [start, start + count)}. The range must be granule-aligned, except that it may end exactly at
     * the end of the bitmap; anything else would clear dirty items outside the range and is rejected.
     */
    public void reset(long start, long count) {
        checkRange("reset", start, count);
        if (count == 0) {
            // FAULT ZERO_LENGTH_SET_RESET (H12): last = start - 1 clears the granule before start.
            if (zeroLengthSetReset && start > 0) {
                long g = (start - 1) >>> granularity;
                resetGranules(g, g);
            }
            return;
        }
        long gran = 1L << granularity;
        boolean aligned = (start & (gran - 1)) == 0
                && ((count & (gran - 1)) == 0 || start + count == origSize);
        // FAULT RESET_ROUNDS_OUTWARD (H11): the pre-4.2 reset accepted unaligned ranges and rounded them outward.
        if (!aligned && !resetRoundsOutward) {
            throw new IllegalArgumentException("reset(" + start + ", " + count + ") is not aligned to the granularity of "
                    + gran + " items and does not end at the bitmap end " + origSize
                    + ": it would clear dirty items outside the range");
        }
        long first = start >>> granularity;
        long last = (start + count - 1) >>> granularity;
        // As in set: one word or two neighbours on a page that exists, without seeded faults, are cleared here, small
        // enough to be inlined; longer ranges, an absent page or a fault go through resetGranules.
        long i = first >>> BITS_PER_LEVEL;
        long j = last >>> BITS_PER_LEVEL;
        long[] page;
        if (j - i <= 1 && (i >>> Words.PAGE_SHIFT) == (j >>> Words.PAGE_SHIFT) && plain
                && (page = lastPages[(int) (i >>> Words.PAGE_SHIFT)]) != null) {
            clearPair(page, i, j, first, last);
            return;
        }
        resetGranules(first, last);
    }

    /** As {@link #orPair}, clearing: a word that becomes zero clears its bit in the level above. */
    private void clearPair(long[] page, long i, long j, long first, long last) {
        long two = -(j - i);
        long lo = -1L << first;
        long hi = -1L >>> ~last;
        int ki = (int) (i & Words.PAGE_MASK);
        long oldI = page[ki];
        long nowI = oldI & ~(lo & (hi | two));
        page[ki] = nowI;
        int kj = (int) (j & Words.PAGE_MASK);
        long oldJ = page[kj];
        long nowJ = oldJ & ~(hi & (lo | two));
        page[kj] = nowJ;
        if (((nowI ^ oldI) | (nowJ ^ oldJ)) != 0) {
            this.count -= Long.bitCount(nowI ^ oldI) + Long.bitCount(nowJ ^ oldJ);
            if (nowI == 0 && oldI != 0) {
                markZero(LAST - 1, i);
            }
            if (nowJ == 0 && oldJ != 0) {
                markZero(LAST - 1, j);
            }
        }
    }

    /** Clears granules {@code [first, last]}; the count drops by the granules that were set (hbitmap_reset). */
    private void resetGranules(long first, long last) {
        count -= clearRange(first, last);
    }

    /** Clears every bit. */
    public void resetAll() {
        for (Words w : levels) {
            w.clear();
        }
        count = 0;
    }

    /** The mask of bits {@code [first, last]} (granule indexes) inside last-level word {@code i}. */
    private static long rangeMask(long i, long first, long last) {
        long mask = -1L;
        if (i == first >>> BITS_PER_LEVEL) {
            mask &= -1L << first;
        }
        if (i == last >>> BITS_PER_LEVEL) {
            mask &= -1L >>> (63 - (last & 63));
        }
        return mask;
    }

    /**
     * ORs bits {@code [first, last]} into the last level in one pass, a page at a time, and returns how many of them
     * were clean. As in hb_set_between, only a word that goes from zero to non-zero touches the level above.
     */
    private long orRange(long first, long last) {
        long lastWord = last >>> BITS_PER_LEVEL;
        long added = 0;
        for (long i = first >>> BITS_PER_LEVEL; i <= lastWord; ) {
            long[] page = bottomPageForWrite((int) (i >>> Words.PAGE_SHIFT));
            for (long pageEnd = Math.min(lastWord, i | Words.PAGE_MASK); i <= pageEnd; i++) {
                int k = (int) (i & Words.PAGE_MASK);
                long old = page[k];
                long now = old | rangeMask(i, first, last);
                if (now != old) {
                    page[k] = now;
                    added += Long.bitCount(now & ~old);
                    if (old == 0) {
                        markNonZero(LAST - 1, i);
                    }
                }
            }
        }
        return added;
    }

    /**
     * Clears bits {@code [first, last]} of the last level in one pass, skipping absent pages, and returns how many were
     * set. As in hb_reset_between, only a word that becomes zero touches the level above.
     */
    private long clearRange(long first, long last) {
        Words w = bottom;
        long lastWord = last >>> BITS_PER_LEVEL;
        long removed = 0;
        for (long i = first >>> BITS_PER_LEVEL; i <= lastWord; ) {
            long pageEnd = Math.min(lastWord, i | Words.PAGE_MASK);
            long[] page = w.page((int) (i >>> Words.PAGE_SHIFT));
            if (page == null) {
                i = pageEnd + 1;
                continue;
            }
            for (; i <= pageEnd; i++) {
                int k = (int) (i & Words.PAGE_MASK);
                long old = page[k];
                long now = old & ~rangeMask(i, first, last);
                if (now != old) {
                    page[k] = now;
                    removed += Long.bitCount(old & ~now);
                    // FAULT UPPER_LEVEL_NOT_CLEARED_ON_RESET: the summary levels keep claiming the word is dirty.
                    if (now == 0 && !upperLevelNotCleared) {
                        markZero(LAST - 1, i);
                    }
                }
            }
        }
        return removed;
    }

    /**
     * Page {@code p} of the last level, allocated if absent together with the pages above it that summarize it: a page
     * of an upper level exists wherever a page below it does, so marking a word non-zero never allocates.
     */
    private long[] bottomPageForWrite(int p) {
        long[] page = bottom.page(p);
        return page != null ? page : allocateBottom(p);
    }

    private long[] allocateBottom(int p) {
        long word = (long) p << Words.PAGE_SHIFT;
        for (int lev = LAST - 1; lev >= 0; lev--) {
            word >>>= BITS_PER_LEVEL;
            levels[lev].pageForWrite((int) (word >>> Words.PAGE_SHIFT));
        }
        return bottom.pageForWrite(p);
    }

    /**
     * Word {@code index} of level {@code level + 1} became non-zero: sets its bit in {@code level}, and goes on up
     * while the word it set the bit in was zero (hb_set_between's walk up). Every non-zero word keeps its bit above.
     * The pages exist (see {@link #bottomPageForWrite}).
     */
    private void markNonZero(int level, long index) {
        for (int lev = level; lev >= 0; lev--) {
            long at = index >>> BITS_PER_LEVEL;
            long[] page = levels[lev].pageOf(at);
            int k = (int) (at & Words.PAGE_MASK);
            long old = page[k];
            page[k] = old | (1L << index);
            if (old != 0) {
                return;
            }
            index = at;
        }
    }

    /**
     * Word {@code index} of level {@code level + 1} became zero: clears its bit in {@code level}, and goes on up while
     * that leaves the word zero (hb_reset_between's walk up). The bit is set, since the word was non-zero, so its page
     * is allocated.
     */
    private void markZero(int level, long index) {
        for (int lev = level; lev >= 0; lev--) {
            long at = index >>> BITS_PER_LEVEL;
            long[] page = levels[lev].page((int) (at >>> Words.PAGE_SHIFT));
            int k = (int) (at & Words.PAGE_MASK);
            long now = page[k] & ~(1L << index);
            page[k] = now;
            if (now != 0) {
                return;
            }
            index = at;
        }
    }

    // ------------------------------------------------------------------------------------------------ iteration

    /** An iterator over dirty granules starting at item {@code first}, as hbitmap_iter_init. */
    public Iter iterator(long first) {
        if (first < 0) {
            throw new IllegalArgumentException("iteration start must not be negative: " + first);
        }
        return new Iter(first);
    }

    /**
     * Iterator over dirty granules (hbitmap_iter_next). Each call to {@link #next()} returns the first item of the next
     * dirty granule, or -1. Bits set behind the iterator's position after it was created may be missed; bits cleared
     * concurrently (including {@link #resetAll()}) are never returned once cleared.
     */
    public final class Iter {
        /** Pending bits per upper level (hbi->cur); the last level's are in {@link #curLast}. */
        private final long[] cur = new long[LAST];
        private long curLast;
        private long pos;

        private Iter(long first) {
            long p = first >>> granularity;
            if (first >= origSize) {
                return; // all masks stay zero: nothing left to return
            }
            pos = p >>> BITS_PER_LEVEL;
            wordsVisited++;
            curLast = bottom.get(pos) & (-1L << p);
            p = pos;
            for (int i = LAST - 1; i >= 0; i--) {
                int bit = (int) (p & 63);
                p >>>= BITS_PER_LEVEL;
                wordsVisited++;
                // The word containing the start position is entered directly below; do not descend into it again.
                cur[i] = levels[i].get(p) & (-2L << bit);
            }
        }

        /**
         * The first item of the next dirty granule, or -1 when there is none. A bit of the current word is taken here;
         * this part is kept small so that the JIT inlines it into the caller's loop. Moving to another word is
         * {@link #advance}'s.
         */
        public long next() {
            long word = curLast & currentWord();
            wordsVisited++;
            if (word == 0 && (word = advance()) == 0) {
                return -1;
            }
            curLast = word & (word - 1);
            return ((pos << BITS_PER_LEVEL) + Long.numberOfTrailingZeros(word)) << granularity;
        }

        /**
         * Fills {@code items} with the first items of the next dirty granules, in order, as that many calls of
         * {@link #next()} would; returns how many it wrote, fewer than {@code items.length} only at the end (0 when
         * nothing is left). Each last-level word is read once per call rather than once per bit, and its bits are
         * taken in a tight loop: the way to walk many dirty granules (QEMU's callers of hbitmap_iter_next loop over
         * it one bit at a time).
         */
        public int next(long[] items) {
            int room = items.length;
            if (room == 0) {
                return 0;
            }
            int n = 0;
            int shift = granularity;
            long[][] last = lastPages;
            long word = curLast & currentWord();
            // Nothing else runs during the call, so the current group's summary bits are read once, kept in a local
            // and walked there; the words read are counted in a local and added once.
            long above = cur[LAST - 1] & summaryWord(pos >>> BITS_PER_LEVEL);
            long reads = 2;
            while (true) {
                if (word == 0) {
                    if (above != 0) {
                        long p = (pos & -64L) + Long.numberOfTrailingZeros(above);
                        above &= above - 1;
                        long[] page = last[(int) (p >>> Words.PAGE_SHIFT)];
                        word = page == null ? 0 : page[(int) (p & Words.PAGE_MASK)];
                        reads++;
                        if (word == 0) {
                            break; // stale summary levels (a seeded fault): iteration ends, as in next()
                        }
                        pos = p;
                    } else {
                        cur[LAST - 1] = 0;
                        wordsVisited += reads;
                        reads = 0;
                        word = skipWords();
                        if (word == 0) {
                            return n;
                        }
                        above = cur[LAST - 1]; // skipWords left the new group's other summary bits there
                    }
                }
                long base = pos << BITS_PER_LEVEL;
                do {
                    items[n++] = (base + Long.numberOfTrailingZeros(word)) << shift;
                    word &= word - 1;
                } while (word != 0 && n < room);
                curLast = word; // the current word's bits not taken yet, as next() leaves them
                if (n == room) {
                    break;
                }
            }
            cur[LAST - 1] = above;
            wordsVisited += reads;
            return n;
        }

        /** Word {@code index} of the level above the last; zero on an absent page. */
        private long summaryWord(long index) {
            long[] page = summaryPages[(int) (index >>> Words.PAGE_SHIFT)];
            return page == null ? 0 : page[(int) (index & Words.PAGE_MASK)];
        }

        /** Last-level word {@code pos}; zero on an absent page. */
        private long currentWord() {
            long[] page = lastPages[(int) (pos >>> Words.PAGE_SHIFT)];
            return page == null ? 0 : page[(int) (pos & Words.PAGE_MASK)];
        }

        /**
         * The current word is exhausted: moves {@code pos} to the next non-zero last-level word and returns it, or
         * returns 0 when there is none. The caller counted its read of the current word.
         */
        private long advance() {
            // Usually the next non-zero word is in the same group of 64 words: its bit is pending one level up, and
            // it is taken here without the general climb (the same reads, in the same order, as skipWords). If nothing
            // is pending there, skipWords climbs from the current word and counts that summary word once.
            long above = cur[LAST - 1] & summaryWord(pos >>> BITS_PER_LEVEL);
            if (above == 0) {
                return skipWords();
            }
            long p = (pos & -64L) + Long.numberOfTrailingZeros(above);
            cur[LAST - 1] = above & (above - 1);
            long[] page = lastPages[(int) (p >>> Words.PAGE_SHIFT)];
            long word = page == null ? 0 : page[(int) (p & Words.PAGE_MASK)];
            wordsVisited += 2;
            if (word != 0) {
                pos = p;
            }
            return word; // zero only when the summary levels are stale (a seeded fault), as in skipWords
        }

        /**
         * Climbs to the nearest level with pending bits, then descends to the next non-zero last-level word, moves
         * {@code pos} there and returns it; 0 when there is none. The words it read are added to the counter once, at
         * the end (one update per call keeps the counter off the iteration's critical path).
         */
        private long skipWords() {
            long p = pos;
            int i = LAST;
            long reads = 0;
            long word;
            do {
                i--;
                if (i < 0) {
                    wordsVisited += reads;
                    return 0;
                }
                p >>>= BITS_PER_LEVEL;
                reads++;
                word = cur[i] & levels[i].get(p);
            } while (word == 0);
            for (; i < LAST; i++) {
                p = (p << BITS_PER_LEVEL) + Long.numberOfTrailingZeros(word);
                cur[i] = word & (word - 1);
                reads++;
                word = levels[i + 1].get(p);
                if (word == 0) {
                    // Only reachable when the summary levels are stale (a seeded fault): iteration ends early.
                    wordsVisited += reads;
                    return 0;
                }
            }
            wordsVisited += reads;
            pos = p;
            return word;
        }
    }

    /**
     * The first dirty item in {@code [start, start + count)} (clamped to the bitmap), or -1; as hbitmap_next_dirty. If
     * {@code start} lies inside a dirty granule, {@code start} itself is returned.
     */
    public long nextDirty(long start, long count) {
        if (start < 0 || count < 0) {
            throw new IllegalArgumentException("nextDirty(" + start + ", " + count + "): negative argument");
        }
        if (start >= origSize || count == 0) {
            return -1;
        }
        long end = count > origSize - start ? origSize : start + count;
        long found = new Iter(start).next();
        if (found < 0 || found >= end) {
            return -1;
        }
        return Math.max(start, found);
    }

    /** The first clean item in {@code [start, start + count)} (clamped to the bitmap), or -1; as hbitmap_next_zero. */
    public long nextZero(long start, long count) {
        if (start < 0 || count < 0) {
            throw new IllegalArgumentException("nextZero(" + start + ", " + count + "): negative argument");
        }
        if (start >= origSize || count == 0) {
            return -1;
        }
        long endBit = count > origSize - start ? granules : ((start + count - 1) >>> granularity) + 1;
        long startBit = start >>> granularity;
        Words last = bottom;
        long endWord = (endBit + 63) >>> BITS_PER_LEVEL;
        long i = startBit >>> BITS_PER_LEVEL;
        wordsVisited++;
        long word = last.get(i) | ((1L << startBit) - 1); // bits before start count as dirty
        while (word == -1L) {
            i++;
            if (i >= endWord) {
                return -1;
            }
            wordsVisited++;
            word = last.get(i);
        }
        long bit = (i << BITS_PER_LEVEL) + Long.numberOfTrailingZeros(~word);
        if (bit >= endBit) {
            return -1;
        }
        return Math.max(start, bit << granularity);
    }

    /**
     * The first dirty area inside {@code [start, end)} (end clamped to the bitmap), at most {@code maxDirtyCount} items
     * long; as hbitmap_next_dirty_area.
     */
    public Optional<Area> nextDirtyArea(long start, long end, long maxDirtyCount) {
        if (start < 0 || end < 0 || maxDirtyCount <= 0) {
            throw new IllegalArgumentException("nextDirtyArea(" + start + ", " + end + ", " + maxDirtyCount
                    + "): start and end must not be negative and the maximum must be positive");
        }
        end = Math.min(end, origSize);
        if (start >= end) {
            return Optional.empty();
        }
        long dirty = nextDirty(start, end - start);
        if (dirty < 0) {
            return Optional.empty();
        }
        long areaEnd = dirty + Math.min(end - dirty, maxDirtyCount);
        long zero = nextZero(dirty, areaEnd - dirty);
        if (zero >= 0) {
            areaEnd = zero;
        }
        return Optional.of(new Area(dirty, areaEnd - dirty));
    }

    // ------------------------------------------------------------------------------------------------ merge, truncate

    /** {@code result = a | b}; all three must have the same size in items (hbitmap_merge). */
    public static void merge(HBitmap a, HBitmap b, HBitmap result) {
        if (a.origSize != result.origSize || b.origSize != result.origSize) {
            throw new IllegalArgumentException("cannot merge bitmaps of different sizes: " + a.origSize + ", "
                    + b.origSize + " into " + result.origSize);
        }
        if ((a.isEmpty() && result == b) || (b.isEmpty() && result == a)) {
            return;
        }
        if (a.granularity == result.granularity && b.granularity == result.granularity) {
            // hbitmap_merge ORs the last levels and rebuilds the levels above; here the pages are ORed in place and
            // only words that were zero touch the levels above.
            if (a != result && b != result) {
                result.resetAll();
            }
            if (a != result) {
                result.orWords(a);
            }
            if (b != result) {
                result.orWords(b);
            }
            return;
        }
        // Granularities differ: OR item ranges into the result, which rounds them outward to its granules.
        if (a != result && b != result) {
            result.resetAll();
        }
        if (a != result) {
            result.orAreasOf(a);
        }
        if (b != result) {
            result.orAreasOf(b);
        }
    }

    /** A new correct bitmap {@code a | b} with {@code a}'s granularity. */
    public static HBitmap merge(HBitmap a, HBitmap b) {
        HBitmap result = a.copy();
        merge(result, b, result);
        return result;
    }

    /** ORs this bitmap into {@code target} ({@code target |= this}). */
    public void mergeInto(HBitmap target) {
        merge(target, this, target);
    }

    /** ORs {@code source} into this bitmap ({@code this |= source}). */
    public void mergeFrom(HBitmap source) {
        merge(this, source, this);
    }

    /**
     * {@code this |= src} for a bitmap of the same size and granularity, a page at a time. Only the words of {@code src}
     * that are non-zero are visited, found from the bits of its level above (every non-zero word has its bit there), so
     * a sparse source costs its dirty words, not its size, and a word of {@code this} is written only if it gains a
     * bit: merging what is already there reads about half of the cache lines of both bitmaps at 1 % dirty, and
     * writes nothing.
     * hbitmap_merge recounts the result from its words; while the count is exact (always, except under the seeded
     * count fault) adding the bits that were new gives the same number without that second pass.
     */
    private void orWords(HBitmap src) {
        Words from = src.bottom;
        Words summary = src.levels[LAST - 1];
        long added = 0;
        for (int p = 0; p < bottom.pageCount(); p++) {
            long[] sp = from.page(p);
            if (sp == null) {
                continue;
            }
            long[] dp = bottom.page(p);
            long base = (long) p << Words.PAGE_SHIFT;
            // The summary words of this page: PAGE_WORDS / 64 consecutive words of one page of the level above.
            long first = base >>> BITS_PER_LEVEL;
            long[] sums = summary.pageOf(first);
            int s0 = (int) (first & Words.PAGE_MASK);
            for (int j = 0; j << BITS_PER_LEVEL < sp.length; j++) {
                for (long nz = sums[s0 + j]; nz != 0; nz &= nz - 1) {
                    int k = (j << BITS_PER_LEVEL) + Long.numberOfTrailingZeros(nz);
                    long word = sp[k];
                    long old = dp == null ? 0 : dp[k];
                    if ((word & ~old) != 0) {
                        if (dp == null) {
                            dp = bottomPageForWrite(p);
                        }
                        dp[k] = old | word;
                        added += Long.bitCount(word & ~old);
                        if (old == 0) {
                            markNonZero(LAST - 1, base + k);
                        }
                    }
                }
            }
        }
        // FAULT COUNT_OFF_AFTER_OVERLAPPING_SET may have left the count wrong: recount as hbitmap_merge does.
        count = countOffAfterOverlappingSet ? countLastLevel() : count + added;
    }

    /** Number of set bits in a page; 0 for an absent one. */
    private static long bitCount(long[] page) {
        long n = 0;
        if (page != null) {
            for (long word : page) {
                n += Long.bitCount(word);
            }
        }
        return n;
    }

    private void orAreasOf(HBitmap src) {
        long offset = 0;
        Optional<Area> area;
        while ((area = src.nextDirtyArea(offset, src.origSize, Long.MAX_VALUE)).isPresent()) {
            set(area.get().offset(), area.get().length());
            offset = area.get().end();
        }
    }

    /**
     * Changes the size in items. Shrinking first clears the granules past the new end (they leave the count);
     * growing adds clean granules. A granule that is only partly inside the new size keeps its bit.
     */
    public void truncate(long newSize) {
        if (newSize < 0) {
            throw new IllegalArgumentException("size must not be negative: " + newSize);
        }
        long newGranules = granulesFor(newSize, granularity);
        origSize = newSize;
        if (newGranules == granules) {
            return;
        }
        if (newGranules < granules) {
            resetGranules(newGranules, granules - 1);
        }
        granules = newGranules;
        long words = newGranules;
        for (int i = LAST; i >= 0; i--) {
            words = Math.max((words + 63) >>> BITS_PER_LEVEL, 1);
            levels[i].resize(words);
        }
        lastPages = bottom.pages();
        summaryPages = levels[LAST - 1].pages();
    }

    // ------------------------------------------------------------------------------------------------ serialization

    /** Whether serialization is defined for this granularity (hbitmap_is_serializable). */
    public boolean isSerializable() {
        return granularity <= MAX_SERIALIZABLE_GRANULARITY;
    }

    /** Chunk alignment in items: one last-level word, {@code 64 << granularity}. */
    public long serializationAlign() {
        if (!isSerializable()) {
            throw new IllegalStateException("granularity " + granularity + " is too large to serialize");
        }
        return 64L << granularity;
    }

    /** Returns {first word, number of words} of a chunk after checking its alignment. */
    private long[] chunkWords(long start, long count) {
        long align = serializationAlign();
        if (start < 0 || count <= 0) {
            throw new IllegalArgumentException("serialization chunk (" + start + ", " + count + ") is invalid");
        }
        if ((start & (align - 1)) != 0) {
            throw new IllegalArgumentException("serialization chunk start " + start
                    + " is not aligned to " + align + " items");
        }
        long last = start + count - 1;
        if (last < start || (last >>> granularity) >= granules) {
            throw new IllegalArgumentException("serialization chunk (" + start + ", " + count
                    + ") goes past the end of the bitmap of " + origSize + " items");
        }
        if ((last >>> granularity) != granules - 1 && (count & (align - 1)) != 0) {
            throw new IllegalArgumentException("serialization chunk size " + count + " is not aligned to " + align
                    + " items and the chunk does not end at the bitmap end");
        }
        long firstWord = (start >>> granularity) >>> BITS_PER_LEVEL;
        long lastWord = (last >>> granularity) >>> BITS_PER_LEVEL;
        return new long[] {firstWord, lastWord - firstWord + 1};
    }

    /** Bytes needed to serialize items {@code [start, start + count)}; 0 for an empty chunk. */
    public long serializationSize(long start, long count) {
        if (count == 0) {
            return 0;
        }
        return chunkWords(start, count)[1] * Long.BYTES;
    }

    /** Writes the last-level words covering the chunk into {@code buf} as little-endian 64-bit words. */
    public void serializePart(byte[] buf, long start, long count) {
        if (count == 0) {
            return;
        }
        long[] chunk = chunkWords(start, count);
        checkBuffer(buf, chunk[1]);
        writeWords(chunk[0], chunk[1], buf);
        long lastWordOfBitmap = (granules - 1) >>> BITS_PER_LEVEL;
        // FAULT SERIALIZE_DROPS_LAST_PARTIAL_WORD: a partly used final word is sent as zero.
        if (serializeDropsLastPartialWord && chunk[0] + chunk[1] - 1 == lastWordOfBitmap && (granules & 63) != 0) {
            LE_WORDS.set(buf, (int) ((chunk[1] - 1) * Long.BYTES), 0L);
        }
    }

    /**
     * Writes last-level words {@code [first, first + n)} to {@code buf} from offset 0 as little-endian words, a page at
     * a time; an absent page is written as zeros.
     */
    private void writeWords(long first, long n, byte[] buf) {
        Words w = bottom;
        int off = 0;
        for (long i = first, end = first + n; i < end; ) {
            long base = i & ~Words.PAGE_MASK;
            int from = (int) (i - base);
            int to = (int) Math.min(Words.PAGE_WORDS, end - base);
            long[] page = w.page((int) (base >>> Words.PAGE_SHIFT));
            if (page == null) {
                Arrays.fill(buf, off, off + (to - from) * Long.BYTES, (byte) 0);
            } else {
                // The offset is computed from k rather than carried along, which lets the JIT unroll it as a copy.
                for (int k = from; k < to; k++) {
                    LE_WORDS.set(buf, off + (k - from) * Long.BYTES, page[k]);
                }
            }
            off += (to - from) * Long.BYTES;
            i = base + to;
        }
    }

    private static void checkBuffer(byte[] buf, long words) {
        if (words > Integer.MAX_VALUE / Long.BYTES || buf.length < words * Long.BYTES) {
            throw new IllegalArgumentException("buffer of " + buf.length + " bytes is smaller than the "
                    + words * Long.BYTES + " bytes of the chunk");
        }
    }

    /**
     * Loads the chunk's last-level words from {@code buf} (little-endian). Bits past the end of the bitmap are
     * ignored. QEMU's upper levels and count are only valid again after hbitmap_deserialize_finish; here each part
     * keeps them valid itself (see {@link #deserializeFinish()}).
     */
    public void deserializePart(byte[] buf, long start, long count, boolean finish) {
        if (count != 0) {
            long[] chunk = chunkWords(start, count);
            checkBuffer(buf, chunk[1]);
            loadWords(chunk[0], chunk[1], buf, 0L);
        }
        if (finish) {
            deserializeFinish();
        }
    }

    /** Clears the words covering the chunk; see {@link #deserializePart}. */
    public void deserializeZeroes(long start, long count, boolean finish) {
        fillChunk(start, count, 0L);
        if (finish) {
            deserializeFinish();
        }
    }

    /** Sets every bit of the words covering the chunk (within the bitmap); see {@link #deserializePart}. */
    public void deserializeOnes(long start, long count, boolean finish) {
        fillChunk(start, count, -1L);
        if (finish) {
            deserializeFinish();
        }
    }

    private void fillChunk(long start, long count, long value) {
        if (count == 0) {
            return;
        }
        long[] chunk = chunkWords(start, count);
        loadWords(chunk[0], chunk[1], null, value);
    }

    /**
     * Stores last-level words {@code [first, first + n)}: little-endian from {@code buf} at offset 0, or all equal to
     * {@code fill} when {@code buf} is null. Bits past the end of the bitmap are dropped. A page at a time; an absent
     * page stays absent while only zeros are stored into it. The count and the levels above follow the words that
     * changed, so nothing needs rebuilding afterwards.
     */
    private void loadWords(long first, long n, byte[] buf, long fill) {
        Words w = bottom;
        long lastWordOfBitmap = (granules - 1) >>> BITS_PER_LEVEL;
        long tailMask = -1L >>> (-granules & 63); // the bits of the last word that lie inside the bitmap
        long delta = 0;
        int off = 0;
        for (long i = first, end = first + n; i < end; ) {
            long base = i & ~Words.PAGE_MASK;
            int from = (int) (i - base);
            int to = (int) Math.min(Words.PAGE_WORDS, end - base);
            int p = (int) (base >>> Words.PAGE_SHIFT);
            if (w.page(p) == null && allZero(buf, off, to - from, fill)) {
                off += (to - from) * Long.BYTES;
                i = base + to;
                continue;
            }
            long[] page = bottomPageForWrite(p);
            for (int k = from; k < to; k++) {
                long now = buf == null ? fill : (long) LE_WORDS.get(buf, off + (k - from) * Long.BYTES);
                if (base + k == lastWordOfBitmap) {
                    now &= tailMask;
                }
                long old = page[k];
                if (now != old) {
                    page[k] = now;
                    delta += Long.bitCount(now) - Long.bitCount(old);
                    if (old == 0) {
                        markNonZero(LAST - 1, base + k);
                    } else if (now == 0) {
                        markZero(LAST - 1, base + k);
                    }
                }
            }
            off += (to - from) * Long.BYTES;
            i = base + to;
        }
        count += delta;
    }

    /** Whether {@code words} little-endian words of {@code buf} from {@code off} (or {@code fill}) are all zero. */
    private static boolean allZero(byte[] buf, int off, int words, long fill) {
        if (buf == null) {
            return fill == 0;
        }
        long any = 0;
        for (int k = 0; k < words; k++) {
            any |= (long) LE_WORDS.get(buf, off + k * Long.BYTES);
        }
        return any == 0;
    }

    /**
     * Ends a deserialization (hbitmap_deserialize_finish). QEMU rebuilds every upper level and the count here; each
     * part above already updated them for the words it changed, so there is nothing left to do.
     */
    public void deserializeFinish() {
        // Nothing to rebuild: see deserializePart.
    }

    // ------------------------------------------------------------------------------------------------ digest

    /**
     * SHA-256 of the last level as QEMU's hbitmap_sha256 computes it: all last-level words (at least one, even for an
     * empty bitmap) as little-endian bytes.
     */
    public byte[] sha256() {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        Words last = bottom;
        byte[] block = new byte[Words.PAGE_WORDS * Long.BYTES];
        for (long i = 0; i < last.length(); i += Words.PAGE_WORDS) {
            int n = (int) Math.min(Words.PAGE_WORDS, last.length() - i);
            writeWords(i, n, block);
            md.update(block, 0, n * Long.BYTES);
        }
        return md.digest();
    }

    /** {@link #sha256()} as lower-case hex, as x-debug-block-dirty-bitmap-sha256 reports it. */
    public String sha256Hex() {
        return toHex(sha256());
    }

    public static String toHex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >>> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** An independent copy with the same faults. */
    public HBitmap copy() {
        return new HBitmap(this);
    }

    /** Whether both bitmaps have the same size, granularity and bits (faults and caches are not compared). */
    public boolean sameBits(HBitmap other) {
        if (origSize != other.origSize || granularity != other.granularity) {
            return false;
        }
        Words a = bottom;
        Words b = other.bottom;
        for (long i = 0; i < a.length(); ) {
            if (a.pageAbsent(i) && b.pageAbsent(i)) {
                i = Words.nextPageStart(i);
                continue;
            }
            if (a.get(i) != b.get(i)) {
                return false;
            }
            i++;
        }
        return true;
    }

    /** Indexes of the dirty granules in ascending order, read from the last level directly. */
    public long[] dirtyGranules() {
        long n = countLastLevel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("too many dirty granules for an array: " + n);
        }
        long[] out = new long[(int) n];
        int k = 0;
        Words last = bottom;
        for (long i = 0; i < last.length(); ) {
            if (last.pageAbsent(i)) {
                i = Words.nextPageStart(i);
                continue;
            }
            long w = last.get(i);
            while (w != 0) {
                out[k++] = (i << BITS_PER_LEVEL) + Long.numberOfTrailingZeros(w);
                w &= w - 1;
            }
            i++;
        }
        return out;
    }

    /** Number of set bits of the last level, counted from its pages (not from the count field). */
    private long countLastLevel() {
        Words last = bottom;
        long n = 0;
        for (int p = 0; p < last.pageCount(); p++) {
            n += bitCount(last.page(p));
        }
        return n;
    }

    /** The dirty granules as a {@link BitSet}; for bitmaps of fewer than 2^31 granules. */
    public BitSet toBitSet() {
        if (granules > Integer.MAX_VALUE) {
            throw new IllegalStateException("bitmap of " + granules + " granules does not fit a BitSet");
        }
        BitSet bs = new BitSet();
        for (long g : dirtyGranules()) {
            bs.set((int) g);
        }
        return bs;
    }

    @Override
    public String toString() {
        return "HBitmap[size=" + origSize + ", granularity=" + granularity + ", dirtyGranules=" + count
                + (faults.isEmpty() ? "" : ", faults=" + faults) + "]";
    }
}
