package dev.bitmig.impl.qcow2;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A valid image and where its structures lie ({@link Base}), and the mutations that make it hostile: bit flips,
 * truncation at structure boundaries, huge counts, sizes and offsets, aliased and self-referencing clusters, names with
 * invalid bytes and reserved flags (Qcow2HostileImageFuzzTest runs them).
 */
final class HostileImages {
    private HostileImages() {
    }

    /** A valid image and where its structures lie. */
    record Base(String label, byte[] bytes, int clusterSize, long extension, long directory, long directorySize,
            long refcountTable, long refcountBlock, long l1, List<Long> entries, List<Long> tables,
            List<Integer> tableSizes, List<Long> dataClusters) {

        List<Long> structureOffsets() {
            List<Long> s = new ArrayList<>(List.of(0L, directory, refcountTable, refcountBlock, l1));
            s.addAll(tables);
            s.addAll(dataClusters);
            return s;
        }

        /** Every offset where one structure starts or ends, and every cluster boundary. */
        TreeSet<Long> boundaries() {
            TreeSet<Long> b = new TreeSet<>();
            for (long c = 0; c <= bytes.length; c += clusterSize) {
                b.add(c);
            }
            for (long h : new long[] {4, 8, 20, 24, 48, 56, 72, 88, 100, 104, 112}) {
                b.add(h);
            }
            b.add(extension - 8);
            b.add(extension);
            b.add(extension + 24);
            b.add(directory + directorySize);
            for (long e : entries) {
                b.add(e);
                b.add(e + 24);
            }
            for (int i = 0; i < tables.size(); i++) {
                b.add(tables.get(i) + tableSizes.get(i) * 8L);
            }
            b.removeIf(x -> x < 0 || x > bytes.length);
            return b;
        }
    }


    static void put(byte[] img, long at, int width, long v) {
        if (at < 0 || at + width > img.length) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(img);
        switch (width) {
            case 1 -> b.put((int) at, (byte) v);
            case 2 -> b.putShort((int) at, (short) v);
            case 4 -> b.putInt((int) at, (int) v);
            default -> b.putLong((int) at, v);
        }
    }

    static long get(byte[] img, long at, int width) {
        if (at < 0 || at + width > img.length) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(img);
        return switch (width) {
            case 1 -> b.get((int) at) & 0xff;
            case 2 -> b.getShort((int) at) & 0xffff;
            case 4 -> b.getInt((int) at) & 0xffffffffL;
            default -> b.getLong((int) at);
        };
    }

    /** Header, extension, directory, table and refcount fields as (offset, width). */
    static List<long[]> fields(Base b) {
        List<long[]> f = new ArrayList<>();
        long[][] header = {{0, 4}, {4, 4}, {8, 8}, {16, 4}, {20, 4}, {24, 8}, {32, 4}, {36, 4}, {40, 8}, {48, 8},
            {56, 4}, {60, 4}, {64, 8}, {72, 8}, {80, 8}, {88, 8}, {96, 4}, {100, 4}};
        f.addAll(Arrays.asList(header));
        long x = b.extension();
        f.addAll(List.of(new long[] {x - 8, 4}, new long[] {x - 4, 4}, new long[] {x, 4}, new long[] {x + 4, 4},
                new long[] {x + 8, 8}, new long[] {x + 16, 8}, new long[] {x + 24, 4}, new long[] {x + 28, 4}));
        for (long e : b.entries()) {
            f.addAll(List.of(new long[] {e, 8}, new long[] {e + 8, 4}, new long[] {e + 12, 4},
                    new long[] {e + 16, 1}, new long[] {e + 17, 1}, new long[] {e + 18, 2}, new long[] {e + 20, 4}));
        }
        for (int i = 0; i < b.tables().size(); i++) {
            for (int j = 0; j < Math.min(b.tableSizes().get(i), 8); j++) {
                f.add(new long[] {b.tables().get(i) + 8L * j, 8});
            }
        }
        f.add(new long[] {b.refcountTable(), 8});
        f.add(new long[] {b.refcountTable() + 8, 8});
        for (int k = 0; k < 12; k++) {
            f.add(new long[] {b.refcountBlock() + 2L * k, 2});
        }
        return f;
    }

    static long hostileValue(SplittableRandom r, Base b, int len) {
        List<Long> structures = b.structureOffsets();
        long cs = b.clusterSize();
        return switch (r.nextInt(16)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> Long.MAX_VALUE;
            case 4 -> Long.MIN_VALUE;
            case 5 -> 1L << 62;
            case 6 -> Integer.MAX_VALUE;
            case 7 -> 0x80000000L;
            case 8 -> 0xffffffffL;
            case 9 -> len;
            case 10 -> len - 1;
            case 11 -> ((len / cs) + r.nextInt(4)) * cs;
            case 12 -> r.nextLong(len / cs + 1) * cs;
            case 13, 14 -> structures.get(r.nextInt(structures.size())); // aliasing
            default -> r.nextLong();
        };
    }

    /** Applies one or more mutations; returns the image (possibly truncated) and a description. */
    static byte[] mutate(SplittableRandom r, Base b, StringBuilder what) {
        byte[] img = b.bytes().clone();
        int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
        List<long[]> fields = fields(b);
        for (int m = 0; m < n; m++) {
            int kind = r.nextInt(9);
            switch (kind) {
                case 0 -> { // bit flips, mostly inside metadata
                    int flips = 1 + r.nextInt(8);
                    for (int i = 0; i < flips; i++) {
                        long region = r.nextBoolean() ? r.nextInt(Math.max(1, img.length))
                                : b.structureOffsets().get(r.nextInt(b.structureOffsets().size()))
                                        + r.nextInt(Math.min(256, b.clusterSize()));
                        int bit = r.nextInt(8);
                        if (region < img.length) {
                            img[(int) region] ^= (byte) (1 << bit);
                        }
                        what.append(" flip@").append(region).append('.').append(bit);
                    }
                }
                case 1 -> { // truncation at a structure boundary (or just around it)
                    List<Long> bs = new ArrayList<>(b.boundaries());
                    long at = bs.get(r.nextInt(bs.size())) + (r.nextInt(3) == 0 ? r.nextInt(17) - 8 : 0);
                    at = Math.max(0, Math.min(img.length, at));
                    img = Arrays.copyOf(img, (int) at);
                    what.append(" truncate@").append(at);
                }
                case 2, 3 -> { // huge or aliasing value in one field
                    long[] f = fields.get(r.nextInt(fields.size()));
                    long v = hostileValue(r, b, img.length);
                    put(img, f[0], (int) f[1], v);
                    what.append(" field@").append(f[0]).append('=').append(Long.toHexString(v));
                }
                case 4 -> { // loops and self-references between the bitmap structures
                    int t = r.nextInt(b.tables().size());
                    long table = b.tables().get(t);
                    long entry = b.entries().get(t);
                    switch (r.nextInt(6)) {
                        case 0 -> put(img, table, 8, table); // a table entry pointing at its own table
                        case 1 -> put(img, entry, 8, b.directory()); // a table that is the directory
                        case 2 -> put(img, b.extension() + 16, 8, table); // the directory is a table
                        case 3 -> put(img, table + 8L * r.nextInt(Math.max(1, b.tableSizes().get(t))), 8,
                                b.dataClusters().isEmpty() ? b.refcountBlock()
                                        : b.dataClusters().get(r.nextInt(b.dataClusters().size()))); // shared data
                        case 4 -> put(img, b.refcountTable(), 8, b.refcountTable()); // reftable is its own block
                        default -> put(img, entry, 8, b.tables().get(r.nextInt(b.tables().size()))); // shared table
                    }
                    what.append(" loop#").append(t);
                }
                case 5 -> { // names with invalid bytes, or a wrong name_size
                    int e = r.nextInt(b.entries().size());
                    long at = b.entries().get(e);
                    int nameSize = (int) get(img, at + 18, 2);
                    if (r.nextInt(4) == 0) {
                        long v = switch (r.nextInt(4)) {
                            case 0 -> 0;
                            case 1 -> 0xffff;
                            case 2 -> 1024;
                            default -> nameSize + 1 + r.nextInt(16);
                        };
                        put(img, at + 18, 2, v);
                        what.append(" name_size#").append(e).append('=').append(v);
                    } else {
                        byte[][] bad = {{0}, {(byte) 0xff}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0,
                            (byte) 0x80}, {(byte) 0x80}, {(byte) 0xf8}, {(byte) 0xe2, (byte) 0x82}};
                        byte[] s = bad[r.nextInt(bad.length)];
                        int pos = r.nextInt(Math.max(1, nameSize));
                        for (int i = 0; i < s.length && pos + i < nameSize; i++) {
                            put(img, at + 24 + pos + i, 1, s[i]);
                        }
                        what.append(" name#").append(e).append('@').append(pos).append('=')
                                .append(Arrays.toString(s));
                    }
                }
                case 6 -> { // reserved flags and feature bits
                    int bit = r.nextInt(64);
                    int e = r.nextInt(b.entries().size());
                    switch (r.nextInt(7)) {
                        case 0 -> put(img, b.entries().get(e) + 12, 4,
                                get(img, b.entries().get(e) + 12, 4) | (1L << (bit % 32)));
                        case 1 -> put(img, b.tables().get(e), 8, get(img, b.tables().get(e), 8) | (1L << bit));
                        case 2 -> put(img, 72, 8, get(img, 72, 8) | (1L << bit));
                        case 3 -> put(img, 88, 8, get(img, 88, 8) ^ (1L << bit));
                        case 4 -> put(img, b.refcountTable(), 8, get(img, b.refcountTable(), 8) | (1L << (bit % 9)));
                        case 5 -> put(img, b.entries().get(e) + 20, 4, 1L << (bit % 32));
                        default -> put(img, b.entries().get(e) + 16, 1, bit);
                    }
                    what.append(" reserved#").append(e).append('.').append(bit);
                }
                case 7 -> { // a copy of one region over another (structures built from valid-looking parts)
                    int len = 8 << r.nextInt(6);
                    long from = r.nextInt(Math.max(1, img.length));
                    List<Long> s = b.structureOffsets();
                    long to = s.get(r.nextInt(s.size())) + 8L * r.nextInt(8);
                    if (from + len <= img.length && to + len <= img.length && to >= 0) {
                        System.arraycopy(img, (int) from, img, (int) to, len);
                    }
                    what.append(" splice@").append(from).append("->").append(to).append('+').append(len);
                }
                default -> { // counts and sizes of the bitmaps extension
                    long[][] f = {{b.extension(), 4}, {b.extension() + 8, 8}, {b.extension() - 4, 4},
                        {b.entries().get(0) + 8, 4}, {36, 4}, {56, 4}};
                    long[] pick = f[r.nextInt(f.length)];
                    long v = switch (r.nextInt(5)) {
                        case 0 -> get(img, pick[0], (int) pick[1]) + 1;
                        case 1 -> get(img, pick[0], (int) pick[1]) - 1;
                        case 2 -> get(img, pick[0], (int) pick[1]) * (2 + r.nextInt(1000));
                        case 3 -> 65536;
                        default -> hostileValue(r, b, img.length);
                    };
                    put(img, pick[0], (int) pick[1], v);
                    what.append(" count@").append(pick[0]).append('=').append(Long.toHexString(v));
                }
            }
        }
        return img;
    }
}
