package dev.bitmig.bench.before;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A frozen copy of {@code dev.bitmig.impl.hbitmap.HBitmap} as it was before the page-wise rewrite ("HBitmap at peer
 * speed"), kept so that one benchmark run measures the old and the new implementation side by side. Benchmark-only:
 * nothing outside {@code bench} uses it. The operations the benchmarks time are verbatim; methods they never call
 * (searches, truncate, chunk fills, comparisons) were left out.
 */
public final class HBitmapBefore {

    public static final int LEVELS = 7;
    public static final int LOG_MAX_SIZE = 41;
    public static final int MAX_SERIALIZABLE_GRANULARITY = 57;

    private static final int BITS_PER_LEVEL = 6;
    private static final int LAST = LEVELS - 1;

    /** The seeded faults, kept so that the fault checks on the timed paths cost what they cost then. */
    public enum Fault { UPPER_LEVEL_NOT_CLEARED_ON_RESET, COUNT_OFF_AFTER_OVERLAPPING_SET,
        SERIALIZE_DROPS_LAST_PARTIAL_WORD, RESET_ROUNDS_OUTWARD, ZERO_LENGTH_SET_RESET }

    private final int granularity;
    private final Set<Fault> faults;
    private long origSize;
    private long granules;
    private long count;
    private final WordsBefore[] levels = new WordsBefore[LEVELS];
    private long wordsVisited;

    private HBitmapBefore(long size, int granularity, Set<Fault> faults) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        if (granularity < 0 || granularity > 63) {
            throw new IllegalArgumentException("granularity shift must be in [0, 63]: " + granularity);
        }
        this.granularity = granularity;
        this.faults = faults.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(faults));
        this.origSize = size;
        this.granules = granulesFor(size, granularity);
        long words = granules;
        for (int i = LAST; i >= 0; i--) {
            words = Math.max((words + 63) >>> BITS_PER_LEVEL, 1);
            levels[i] = new WordsBefore(words);
        }
    }

    private HBitmapBefore(HBitmapBefore other) {
        this.granularity = other.granularity;
        this.faults = other.faults;
        this.origSize = other.origSize;
        this.granules = other.granules;
        this.count = other.count;
        for (int i = 0; i < LEVELS; i++) {
            levels[i] = other.levels[i].copy();
        }
    }

    private static long granulesFor(long size, int granularity) {
        long g = size == 0 ? 0 : ((size - 1) >>> granularity) + 1;
        if (g > (1L << LOG_MAX_SIZE)) {
            throw new IllegalArgumentException("bitmap too large: " + size + " items at granularity " + granularity
                    + " need " + g + " bits, more than 2^" + LOG_MAX_SIZE);
        }
        return g;
    }

    public static HBitmapBefore create(long sizeInItems, int granularityShift) {
        return new HBitmapBefore(sizeInItems, granularityShift, EnumSet.noneOf(Fault.class));
    }

    // ------------------------------------------------------------------------------------------------ accessors

    public long size() {
        return origSize;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public long count() {
        return count << granularity;
    }

    // ------------------------------------------------------------------------------------------------ get/set/reset

    private void checkRange(String op, long start, long count) {
        if (start < 0 || count < 0 || start > origSize || count > origSize - start) {
            throw new IllegalArgumentException(op + "(" + start + ", " + count + ") outside the bitmap of "
                    + origSize + " items");
        }
    }

    public void set(long start, long count) {
        checkRange("set", start, count);
        if (count == 0) {
            // FAULT ZERO_LENGTH_SET_RESET (H12): last = start - 1 touches the granule before start.
            if (faults.contains(Fault.ZERO_LENGTH_SET_RESET) && start > 0) {
                long g = (start - 1) >>> granularity;
                setGranules(g, g);
            }
            return;
        }
        setGranules(start >>> granularity, (start + count - 1) >>> granularity);
    }

    private void setGranules(long first, long last) {
        long already = countBetween(first, last);
        // FAULT COUNT_OFF_AFTER_OVERLAPPING_SET: forgets to subtract the granules that were already set.
        if (faults.contains(Fault.COUNT_OFF_AFTER_OVERLAPPING_SET)) {
            already = 0;
        }
        count += (last - first + 1) - already;
        setBetween(LAST, first, last);
    }

    public void reset(long start, long count) {
        checkRange("reset", start, count);
        if (count == 0) {
            // FAULT ZERO_LENGTH_SET_RESET (H12): last = start - 1 clears the granule before start.
            if (faults.contains(Fault.ZERO_LENGTH_SET_RESET) && start > 0) {
                long g = (start - 1) >>> granularity;
                resetGranules(g, g);
            }
            return;
        }
        long gran = 1L << granularity;
        boolean aligned = (start & (gran - 1)) == 0
                && ((count & (gran - 1)) == 0 || start + count == origSize);
        // FAULT RESET_ROUNDS_OUTWARD (H11): the pre-4.2 reset accepted unaligned ranges and rounded them outward.
        if (!aligned && !faults.contains(Fault.RESET_ROUNDS_OUTWARD)) {
            throw new IllegalArgumentException("reset(" + start + ", " + count + ") is not aligned to the granularity of "
                    + gran + " items and does not end at the bitmap end " + origSize
                    + ": it would clear dirty items outside the range");
        }
        resetGranules(start >>> granularity, (start + count - 1) >>> granularity);
    }

    private void resetGranules(long first, long last) {
        count -= countBetween(first, last);
        resetBetween(LAST, first, last);
    }

    public void resetAll() {
        for (WordsBefore w : levels) {
            w.clear();
        }
        count = 0;
    }

    private long countBetween(long first, long last) {
        WordsBefore w = levels[LAST];
        long firstWord = first >>> BITS_PER_LEVEL;
        long lastWord = last >>> BITS_PER_LEVEL;
        long n = 0;
        for (long i = firstWord; i <= lastWord; ) {
            if (w.pageAbsent(i)) {
                i = WordsBefore.nextPageStart(i);
                continue;
            }
            long word = w.get(i);
            if (i == firstWord) {
                word &= -1L << first;
            }
            if (i == lastWord) {
                word &= -1L >>> (63 - (last & 63));
            }
            n += Long.bitCount(word);
            i++;
        }
        return n;
    }

    private void setBetween(int level, long first, long last) {
        WordsBefore w = levels[level];
        long firstWord = first >>> BITS_PER_LEVEL;
        long lastWord = last >>> BITS_PER_LEVEL;
        boolean becameNonZero = false;
        for (long i = firstWord; i <= lastWord; i++) {
            long mask = -1L;
            if (i == firstWord) {
                mask &= -1L << first;
            }
            if (i == lastWord) {
                mask &= -1L >>> (63 - (last & 63));
            }
            long old = w.get(i);
            if ((old | mask) != old) {
                w.put(i, old | mask);
                becameNonZero |= old == 0;
            }
        }
        if (becameNonZero && level > 0) {
            setBetween(level - 1, firstWord, lastWord);
        }
    }

    private void resetBetween(int level, long first, long last) {
        WordsBefore w = levels[level];
        long firstWord = first >>> BITS_PER_LEVEL;
        long lastWord = last >>> BITS_PER_LEVEL;
        boolean becameZero = false;
        for (long i = firstWord; i <= lastWord; ) {
            if (w.pageAbsent(i)) {
                i = WordsBefore.nextPageStart(i);
                continue;
            }
            long mask = -1L;
            if (i == firstWord) {
                mask &= -1L << first;
            }
            if (i == lastWord) {
                mask &= -1L >>> (63 - (last & 63));
            }
            long old = w.get(i);
            if ((old & mask) != 0) {
                long now = old & ~mask;
                w.put(i, now);
                becameZero |= now == 0;
            }
            i++;
        }
        // FAULT UPPER_LEVEL_NOT_CLEARED_ON_RESET: the summary levels keep claiming the cleared words are dirty.
        if (faults.contains(Fault.UPPER_LEVEL_NOT_CLEARED_ON_RESET)) {
            return;
        }
        if (becameZero && level > 0) {
            // Every word strictly inside the range is zero now; the end words only if nothing else remains in them.
            long from = w.get(firstWord) == 0 ? firstWord : firstWord + 1;
            long to = w.get(lastWord) == 0 ? lastWord : lastWord - 1;
            if (from <= to) {
                resetBetween(level - 1, from, to);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ iteration

    public Iter iterator(long first) {
        if (first < 0) {
            throw new IllegalArgumentException("iteration start must not be negative: " + first);
        }
        return new Iter(first);
    }

    public final class Iter {
        private final long[] cur = new long[LEVELS];
        private long pos;

        private Iter(long first) {
            long p = first >>> granularity;
            if (first >= origSize) {
                return; // all masks stay zero: nothing left to return
            }
            pos = p >>> BITS_PER_LEVEL;
            for (int i = LAST; i >= 0; i--) {
                int bit = (int) (p & 63);
                p >>>= BITS_PER_LEVEL;
                wordsVisited++;
                long mask = levels[i].get(p) & (-1L << bit);
                if (i != LAST) {
                    // The word containing the start position is entered directly below; do not descend into it again.
                    mask &= ~(1L << bit);
                }
                cur[i] = mask;
            }
        }

        public long next() {
            wordsVisited++;
            long word = cur[LAST] & levels[LAST].get(pos);
            if (word == 0) {
                word = skipWords();
                if (word == 0) {
                    return -1;
                }
            }
            cur[LAST] = word & (word - 1);
            long bit = (pos << BITS_PER_LEVEL) + Long.numberOfTrailingZeros(word);
            return bit << granularity;
        }

        private long skipWords() {
            long p = pos;
            int i = LAST;
            long word;
            do {
                i--;
                if (i < 0) {
                    return 0;
                }
                p >>>= BITS_PER_LEVEL;
                wordsVisited++;
                word = cur[i] & levels[i].get(p);
            } while (word == 0);
            for (; i < LAST; i++) {
                p = (p << BITS_PER_LEVEL) + Long.numberOfTrailingZeros(word);
                cur[i] = word & (word - 1);
                wordsVisited++;
                word = levels[i + 1].get(p);
                if (word == 0) {
                    // Only reachable when the summary levels are stale (a seeded fault): iteration ends early.
                    return 0;
                }
            }
            pos = p;
            return word;
        }
    }

    // ------------------------------------------------------------------------------------------------ merge, truncate

    public static void merge(HBitmapBefore a, HBitmapBefore b, HBitmapBefore result) {
        if (a.origSize != result.origSize || b.origSize != result.origSize) {
            throw new IllegalArgumentException("cannot merge bitmaps of different sizes: " + a.origSize + ", "
                    + b.origSize + " into " + result.origSize);
        }
        if ((a.isEmpty() && result == b) || (b.isEmpty() && result == a)) {
            return;
        }
        if (a.granularity == result.granularity && b.granularity == result.granularity) {
            for (long i = 0; i < result.levels[LAST].length(); i++) {
                result.levels[LAST].put(i, a.levels[LAST].get(i) | b.levels[LAST].get(i));
            }
            result.rebuildUpperLevels();
            return;
        }
        // Trimmed from the frozen copy: the benchmarks merge bitmaps of one granularity only.
        throw new UnsupportedOperationException("granularities differ");
    }

    public void mergeFrom(HBitmapBefore source) {
        merge(this, source, this);
    }

    // ------------------------------------------------------------------------------------------------ serialization

    public long serializationAlign() {
        if (granularity > MAX_SERIALIZABLE_GRANULARITY) {
            throw new IllegalStateException("granularity " + granularity + " is too large to serialize");
        }
        return 64L << granularity;
    }

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

    public long serializationSize(long start, long count) {
        if (count == 0) {
            return 0;
        }
        return chunkWords(start, count)[1] * Long.BYTES;
    }

    public void serializePart(byte[] buf, long start, long count) {
        if (count == 0) {
            return;
        }
        long[] chunk = chunkWords(start, count);
        checkBuffer(buf, chunk[1]);
        long lastWordOfBitmap = (granules - 1) >>> BITS_PER_LEVEL;
        for (long k = 0; k < chunk[1]; k++) {
            long index = chunk[0] + k;
            long word = levels[LAST].get(index);
            // FAULT SERIALIZE_DROPS_LAST_PARTIAL_WORD: a partly used final word is sent as zero.
            if (faults.contains(Fault.SERIALIZE_DROPS_LAST_PARTIAL_WORD)
                    && index == lastWordOfBitmap && (granules & 63) != 0) {
                word = 0;
            }
            putLong(buf, (int) (k * Long.BYTES), word);
        }
    }

    private static void checkBuffer(byte[] buf, long words) {
        if (words > Integer.MAX_VALUE / Long.BYTES || buf.length < words * Long.BYTES) {
            throw new IllegalArgumentException("buffer of " + buf.length + " bytes is smaller than the "
                    + words * Long.BYTES + " bytes of the chunk");
        }
    }

    public void deserializePart(byte[] buf, long start, long count, boolean finish) {
        if (count != 0) {
            long[] chunk = chunkWords(start, count);
            checkBuffer(buf, chunk[1]);
            for (long k = 0; k < chunk[1]; k++) {
                storeLastLevelWord(chunk[0] + k, getLong(buf, (int) (k * Long.BYTES)));
            }
        }
        if (finish) {
            deserializeFinish();
        }
    }

    private void storeLastLevelWord(long index, long value) {
        long lastWordOfBitmap = (granules - 1) >>> BITS_PER_LEVEL;
        if (index == lastWordOfBitmap && (granules & 63) != 0) {
            value &= (1L << (granules & 63)) - 1;
        }
        levels[LAST].put(index, value);
    }

    public void deserializeFinish() {
        rebuildUpperLevels();
    }

    private void rebuildUpperLevels() {
        for (int lev = LAST - 1; lev >= 0; lev--) {
            WordsBefore below = levels[lev + 1];
            WordsBefore above = levels[lev];
            above.clear();
            for (long i = 0; i < below.length(); ) {
                if (below.pageAbsent(i)) {
                    i = WordsBefore.nextPageStart(i);
                    continue;
                }
                if (below.get(i) != 0) {
                    long at = i >>> BITS_PER_LEVEL;
                    above.put(at, above.get(at) | (1L << i));
                }
                i++;
            }
        }
        count = granules == 0 ? 0 : countBetween(0, granules - 1);
    }

    private static void putLong(byte[] buf, int off, long v) {
        for (int b = 0; b < Long.BYTES; b++) {
            buf[off + b] = (byte) (v >>> (8 * b));
        }
    }

    private static long getLong(byte[] buf, int off) {
        long v = 0;
        for (int b = 0; b < Long.BYTES; b++) {
            v |= (buf[off + b] & 0xFFL) << (8 * b);
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------------ digest

    public byte[] sha256() {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        WordsBefore last = levels[LAST];
        byte[] block = new byte[WordsBefore.PAGE_WORDS * Long.BYTES];
        for (long i = 0; i < last.length(); i += WordsBefore.PAGE_WORDS) {
            int n = (int) Math.min(WordsBefore.PAGE_WORDS, last.length() - i);
            if (last.pageAbsent(i)) {
                java.util.Arrays.fill(block, 0, n * Long.BYTES, (byte) 0);
            } else {
                for (int k = 0; k < n; k++) {
                    putLong(block, k * Long.BYTES, last.get(i + k));
                }
            }
            md.update(block, 0, n * Long.BYTES);
        }
        return md.digest();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    public HBitmapBefore copy() {
        return new HBitmapBefore(this);
    }
}
