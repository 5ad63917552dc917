package dev.bitmig.impl.hbitmap;

import java.util.Arrays;

/**
 * A growable array of 64-bit words addressed by {@code long}, stored in pages that are only allocated once a non-zero
 * word is written to them. Unallocated pages read as zero. This keeps huge but sparse levels cheap. Loops that touch
 * many words, and every write, work on whole pages ({@link #page}, {@link #pageForWrite}); {@link #get} reads one word.
 */
final class Words {
    static final int PAGE_SHIFT = 10;
    static final int PAGE_WORDS = 1 << PAGE_SHIFT;
    static final long PAGE_MASK = PAGE_WORDS - 1;

    private long length;
    private long[][] pages;

    Words(long length) {
        this.length = length;
        this.pages = new long[pageCount(length)][];
    }

    private Words(long length, long[][] pages) {
        this.length = length;
        this.pages = pages;
    }

    private static int pageCount(long length) {
        long n = (length + PAGE_MASK) >>> PAGE_SHIFT;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many words for one level: " + length);
        }
        return (int) n;
    }

    private int pageLength(int page) {
        long rest = length - ((long) page << PAGE_SHIFT);
        return (int) Math.min(PAGE_WORDS, rest);
    }

    long length() {
        return length;
    }

    /** Number of pages, allocated or not. */
    int pageCount() {
        return pages.length;
    }

    long get(long index) {
        long[] page = pages[(int) (index >>> PAGE_SHIFT)];
        return page == null ? 0L : page[(int) (index & PAGE_MASK)];
    }

    /** The page of words {@code [p * PAGE_WORDS, ...)}, or {@code null} while it has never held a non-zero word. */
    long[] page(int p) {
        return pages[p];
    }

    /**
     * The page array itself (entries null while absent), for loops that index it directly. It is replaced by
     * {@link #resize}, so a holder must fetch it again after one; {@link #clear} empties it in place.
     */
    long[][] pages() {
        return pages;
    }

    /** The page holding word {@code index}, or {@code null} while it has never held a non-zero word. */
    long[] pageOf(long index) {
        return pages[(int) (index >>> PAGE_SHIFT)];
    }

    /** The page {@code p}, allocated (all zero) if it was absent. */
    long[] pageForWrite(int p) {
        long[] page = pages[p];
        if (page == null) {
            page = new long[pageLength(p)];
            pages[p] = page;
        }
        return page;
    }

    /** Whether the page holding {@code index} has never been written with a non-zero word. */
    boolean pageAbsent(long index) {
        return pages[(int) (index >>> PAGE_SHIFT)] == null;
    }

    /** Index of the first word of the page after the one holding {@code index}. */
    static long nextPageStart(long index) {
        return ((index >>> PAGE_SHIFT) + 1) << PAGE_SHIFT;
    }

    void clear() {
        Arrays.fill(pages, null);
    }

    /** Changes the length; words past a shrunk end are dropped, words past the old end read as zero. */
    void resize(long newLength) {
        int newPages = pageCount(newLength);
        long[][] resized = Arrays.copyOf(pages, newPages);
        long oldLength = length;
        length = newLength;
        pages = resized;
        // Only the page that straddles either end can have the wrong array length.
        int boundary = (int) ((Math.min(oldLength, newLength) - 1) >>> PAGE_SHIFT);
        if (Math.min(oldLength, newLength) > 0 && boundary < newPages && pages[boundary] != null) {
            pages[boundary] = Arrays.copyOf(pages[boundary], pageLength(boundary));
        }
    }

    Words copy() {
        long[][] copied = new long[pages.length][];
        for (int i = 0; i < pages.length; i++) {
            copied[i] = pages[i] == null ? null : pages[i].clone();
        }
        return new Words(length, copied);
    }

    /** Number of allocated pages (for tests of the lazy allocation). */
    int allocatedPages() {
        int n = 0;
        for (long[] page : pages) {
            if (page != null) {
                n++;
            }
        }
        return n;
    }
}
