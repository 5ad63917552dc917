package dev.bitmig.impl.qcow2.differential;

import dev.bitmig.impl.qcow2.differential.QemuStep.BitmapOp;
import dev.bitmig.impl.qcow2.differential.QemuStep.Ending;
import dev.bitmig.impl.qcow2.differential.QemuStep.IoKind;
import dev.bitmig.impl.qcow2.differential.QemuStep.IoOp;
import dev.bitmig.impl.qcow2.differential.QemuStep.LiveOp;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random histories for QEMU to write. Everything comes from the seed, so a seed is a history. Sizes, offsets and
 * granularities are mostly ones QEMU accepts, with a few it refuses (a refused step leaves the image as it was, and
 * the readers must still agree).
 */
final class QemuHistoryGenerator {
    /** ADD, ADD_DISABLED, then five more, of which {@link #imgBitmap()} picks the last ones evenly. */
    private static final BitmapOp[] OPS = BitmapOp.values();
    private final SplittableRandom random;
    private final Names names;
    private long size;

    private QemuHistoryGenerator(long seed, boolean unicodeArgs) {
        this.random = new SplittableRandom(seed);
        this.names = new Names(random, unicodeArgs);
    }

    /** The history of {@code seed}; {@code unicodeArgs}: whether non-ASCII names may go on command lines. */
    static QemuHistory generate(long seed, boolean unicodeArgs) {
        return new QemuHistoryGenerator(seed, unicodeArgs).history(seed);
    }

    private QemuHistory history(long seed) {
        List<QemuStep> steps = new ArrayList<>();
        int clusterBits = random.nextInt(3) == 0 ? 9 + random.nextInt(13) : 16;
        size = diskSize();
        steps.add(new QemuStep.Create(size, 1 << clusterBits));
        int n = 1 + random.nextInt(12);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(100);
            if (kind < 45) {
                steps.add(imgBitmap());
            } else if (kind < 68) {
                List<IoOp> ops = new ArrayList<>();
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    ops.add(io());
                }
                steps.add(new QemuStep.Io(ops));
            } else if (kind < 96) {
                steps.add(live());
            } else {
                steps.add(new QemuStep.RawHeaderWrite());
            }
        }
        return new QemuHistory(seed, steps);
    }

    /** Multiples of 512 from 512 B to 4 GiB, log-uniform; rarely up to 64 GiB. */
    private long diskSize() {
        int maxBits = random.nextInt(30) == 0 ? 36 : 32;
        long bytes = 1L << (9 + random.nextInt(maxBits - 9));
        long extra = random.nextLong(bytes) & ~511L;
        return random.nextBoolean() ? bytes : Math.max(512, (bytes + extra) & ~511L);
    }

    /** 512 B to 2 GiB, coarser on big disks; one in 30 is one QEMU refuses. */
    private long granularity() {
        int r = random.nextInt(30);
        if (r == 0) {
            return new long[] {256, 1536, 1L << 32, 0}[random.nextInt(4)];
        }
        int minBits = 9;
        while (minBits < 31 && (size >>> minBits) > (1L << 26) && random.nextInt(8) != 0) {
            minBits++;
        }
        return 1L << (minBits + random.nextInt(32 - minBits));
    }

    private QemuStep imgBitmap() {
        int r = random.nextInt(100);
        BitmapOp op = OPS[r < 30 ? 0 : r < 40 ? 1 : 2 + (r - 40) / 12];
        boolean add = op == BitmapOp.ADD || op == BitmapOp.ADD_DISABLED;
        String name = add && random.nextInt(5) != 0 ? names.fresh() : names.pick();
        if (add) {
            names.added(name);
        } else if (op == BitmapOp.REMOVE) {
            names.removed(name);
        }
        return new QemuStep.ImgBitmap(op, name, add ? granularity() : 0, op == BitmapOp.MERGE ? names.pick() : "");
    }

    /** The longest zero write or discard that runs to the end of the disk. */
    static final long LONGEST_TO_END = 128L << 20;

    private IoOp io() {
        IoKind kind = IoKind.values()[random.nextInt(10) < 6 ? 0 : 1 + random.nextInt(2)];
        long offset = random.nextInt(4) == 0 ? random.nextLong(size) & ~511L : random.nextLong(size);
        long room = size - offset;
        long length;
        int r = random.nextInt(10);
        if (r < 6) {
            length = 1 + random.nextLong(8192);
        } else if (r < 9 || kind == IoKind.WRITE) {
            length = 1 + random.nextLong(1 << 20);
        } else {
            // to the end of the disk, but at most 128 MiB: a zero write or discard of a gigabyte on 512-byte
            // clusters takes qemu-io minutes on a busy machine (DIFFERENTIAL.md, O1), and 128 MiB still spans
            // many L2 tables and bitmap table clusters
            length = Math.min(room, LONGEST_TO_END);
        }
        return new IoOp(kind, offset, Math.max(1, Math.min(length, room)));
    }

    private QemuStep live() {
        List<LiveOp> ops = new ArrayList<>();
        for (int k = 1 + random.nextInt(8); k > 0; k--) {
            if (random.nextInt(10) < 4) {
                ops.add(new QemuStep.LiveIo(io()));
            } else {
                QemuStep.ImgBitmap b = (QemuStep.ImgBitmap) imgBitmap();
                ops.add(new QemuStep.LiveBitmap(b.op(), b.name(), b.granularity(), b.source(),
                        b.op() == BitmapOp.ADD && random.nextInt(7) == 0));
            }
        }
        int e = random.nextInt(100);
        return new QemuStep.Live(ops, e < 70 ? Ending.DETACH : e < 85 ? Ending.QUIT : Ending.KILL);
    }
}
