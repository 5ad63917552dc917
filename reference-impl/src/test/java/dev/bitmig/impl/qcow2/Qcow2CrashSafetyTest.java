package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Cuts an update after every single write (0..total) and checks what a reader finds: the old consistent bitmaps,
 * the bitmaps flagged IN_USE (inconsistent), no bitmaps (autoclear bit 0 clear), or the complete new state; never a
 * consistent-looking bitmap that misses a write. A second pass replays every subset of the writes of one flush epoch
 * on top of all earlier epochs, i.e. a device that reorders or loses unflushed writes.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class Qcow2CrashSafetyTest {

    static final long DISK = 6L << 30; // several data clusters per bitmap at 4 KiB granularity

    enum Outcome { OLD_CONSISTENT, IN_USE_INCONSISTENT, NO_BITMAPS, NEW_CONSISTENT }

    interface Operation {
        void run(WriteLayer layer) throws IOException;
    }

    /** Cut points and unflushed-subset states examined by the last enumeration. */
    int cutPoints;
    int subsetStates;

    static BitSet bits(long... indexes) {
        BitSet b = new BitSet();
        for (long i : indexes) {
            b.set(Math.toIntExact(i));
        }
        return b;
    }

    static Map<String, Qcow2Bitmap> byName(Qcow2Bitmap... bitmaps) {
        Map<String, Qcow2Bitmap> m = new LinkedHashMap<>();
        for (Qcow2Bitmap b : bitmaps) {
            m.put(b.name(), b);
        }
        return m;
    }

    static final Qcow2Bitmap OLD_A = new Qcow2Bitmap("a", 12, true, bits(1, 600_000, 1_200_000));
    static final Qcow2Bitmap OLD_B = new Qcow2Bitmap("b", 16, false, bits(2));

    static byte[] imageWith(Qcow2Bitmap... bitmaps) throws IOException {
        MemoryWriteLayer mem = new MemoryWriteLayer();
        try (Qcow2Image img = Qcow2Image.create(mem, DISK, 16)) {
            img.storeBitmaps(List.of(bitmaps), Set.of());
        }
        return mem.toByteArray();
    }

    static Outcome classify(byte[] image, Map<String, Qcow2Bitmap> old, Map<String, Qcow2Bitmap> neu)
            throws IOException {
        try (Qcow2Image img = Qcow2Image.open(new MemoryWriteLayer(image))) {
            assertThat(img.referencedButUnallocated()).as("clusters referenced with refcount 0").isEmpty();
            if (!img.bitmapsConsistent()) {
                return Outcome.NO_BITMAPS;
            }
            List<BitmapDirectoryEntry> entries = img.bitmaps();
            Set<String> names = entries.stream().map(BitmapDirectoryEntry::name).collect(Collectors.toSet());
            if (entries.stream().allMatch(BitmapDirectoryEntry::inUse)) {
                assertThat(names).isEqualTo(old.keySet());
                return Outcome.IN_USE_INCONSISTENT;
            }
            if (entries.stream().anyMatch(BitmapDirectoryEntry::inUse)) {
                fail("mixed IN_USE flags: " + entries);
            }
            Map<String, Qcow2Bitmap> found = new LinkedHashMap<>();
            for (BitmapDirectoryEntry e : entries) {
                found.put(e.name(), img.readBitmap(e.name()));
            }
            if (found.equals(old)) {
                return Outcome.OLD_CONSISTENT;
            }
            if (found.equals(neu)) {
                return Outcome.NEW_CONSISTENT;
            }
            return fail("consistent-looking bitmaps that are neither the old nor the new state: " + found);
        }
    }

    /** Enumerates every cut point of {@code op} on {@code base} and returns the outcomes seen. */
    Set<Outcome> everyCutPoint(byte[] base, Operation op, Map<String, Qcow2Bitmap> old,
            Map<String, Qcow2Bitmap> neu, Set<Outcome> allowed) throws IOException {
        CrashingWriteLayer counting = new CrashingWriteLayer(new MemoryWriteLayer(base));
        op.run(counting);
        long total = counting.writes();
        assertThat(total).isPositive();
        Set<Outcome> seen = EnumSet.noneOf(Outcome.class);
        for (long n = 0; n <= total; n++) {
            MemoryWriteLayer mem = new MemoryWriteLayer(base);
            CrashingWriteLayer layer = new CrashingWriteLayer(mem).crashAfter(n);
            if (n < total) {
                assertThatThrownBy(() -> op.run(layer)).isInstanceOf(SimulatedCrash.class);
            } else {
                op.run(layer);
            }
            assertThat(layer.writes()).isEqualTo(n);
            Outcome o = classify(mem.toByteArray(), old, neu);
            assertThat(o).as("outcome after %d of %d writes", n, total).isIn(allowed);
            seen.add(o);
            cutPoints++;
        }
        assertThat(classify(((MemoryWriteLayer) counting.inner()).toByteArray(), old, neu)).isIn(allowed);
        return seen;
    }

    /** Replays, for each flush epoch, every subset of its writes on top of all earlier epochs. */
    Set<Outcome> everyUnflushedSubset(byte[] base, Operation op, Map<String, Qcow2Bitmap> old,
            Map<String, Qcow2Bitmap> neu, Set<Outcome> allowed) throws IOException {
        RecordingLayer rec = new RecordingLayer(new MemoryWriteLayer(base));
        op.run(rec);
        Set<Outcome> seen = EnumSet.noneOf(Outcome.class);
        MemoryWriteLayer durable = new MemoryWriteLayer(base);
        for (List<Write> epoch : rec.epochs()) {
            assertThat(epoch.size()).isLessThanOrEqualTo(14);
            for (int mask = 0; mask < (1 << epoch.size()); mask++) {
                MemoryWriteLayer state = new MemoryWriteLayer(durable.toByteArray());
                for (int i = 0; i < epoch.size(); i++) {
                    if ((mask & (1 << i)) != 0) {
                        state.write(epoch.get(i).offset(), epoch.get(i).data());
                    }
                }
                Outcome o = classify(state.toByteArray(), old, neu);
                assertThat(o).as("outcome with subset %s of an epoch of %d writes", Integer.toBinaryString(mask),
                        epoch.size()).isIn(allowed);
                seen.add(o);
                subsetStates++;
            }
            for (Write w : epoch) {
                durable.write(w.offset(), w.data());
            }
        }
        return seen;
    }

    record Write(long offset, byte[] data) {
    }

    /** Applies writes and remembers them grouped by flush epoch. */
    static final class RecordingLayer implements WriteLayer {
        private final MemoryWriteLayer inner;
        private final List<List<Write>> epochs = new ArrayList<>(List.of(new ArrayList<>()));

        RecordingLayer(MemoryWriteLayer inner) {
            this.inner = inner;
        }

        List<List<Write>> epochs() {
            return epochs;
        }

        @Override
        public long length() {
            return inner.length();
        }

        @Override
        public void read(long offset, byte[] dst, int off, int len) {
            inner.read(offset, dst, off, len);
        }

        @Override
        public void write(long offset, byte[] src, int off, int len) throws IOException {
            inner.write(offset, src, off, len);
            epochs.get(epochs.size() - 1).add(new Write(offset, java.util.Arrays.copyOfRange(src, off, off + len)));
        }

        @Override
        public void flush() {
            if (!epochs.get(epochs.size() - 1).isEmpty()) {
                epochs.add(new ArrayList<>());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ scenarios

    static final Qcow2Bitmap NEW_A = new Qcow2Bitmap("a", 12, true, bits(1, 5, 600_000, 1_200_000, 1_500_000));
    static final Qcow2Bitmap NEW_B = new Qcow2Bitmap("b", 16, false, bits(2, 3));
    static final Qcow2Bitmap NEW_C = new Qcow2Bitmap("c", 13, true, bits(0, 400_000, 700_000));

    /** The image as QEMU leaves it while running: a and b loaded, so IN_USE on disk. */
    static byte[] runningImage() throws IOException {
        MemoryWriteLayer mem = new MemoryWriteLayer(imageWith(OLD_A, OLD_B));
        try (Qcow2Image img = Qcow2Image.open(mem)) {
            img.updateFlagsInPlace(Map.of("a", 3, "b", 1));
        }
        return mem.toByteArray();
    }

    static final Operation STORE_THREE = layer -> {
        Qcow2Image img = Qcow2Image.open(layer);
        img.storeBitmaps(List.of(NEW_A, NEW_B, NEW_C), Set.of());
    };

    static final Operation SET_IN_USE_ON_LOAD = layer -> Qcow2BitmapSession.openReadWrite(layer, w -> { });

    static final Operation OPEN_WRITE_CLOSE = layer -> {
        Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(layer, w -> { });
        s.markWrite(5L << 12, 1);
        s.markWrite(1_500_000L << 12, 4096);
        s.add("c", 13, true);
        s.setBits("c", NEW_C.bits());
        s.close();
    };

    static final Operation REMOVE_A = layer -> Qcow2Image.open(layer).removeBitmap("a");

    @Test
    void a_store_of_three_bitmaps_cut_after_every_write_leaves_in_use_bitmaps_or_the_new_ones() throws Exception {
        Map<String, Qcow2Bitmap> old = byName(OLD_A, OLD_B);
        Map<String, Qcow2Bitmap> neu = byName(NEW_A, NEW_B, NEW_C);
        Set<Outcome> allowed = EnumSet.of(Outcome.IN_USE_INCONSISTENT, Outcome.NEW_CONSISTENT);
        assertThat(everyCutPoint(runningImage(), STORE_THREE, old, neu, allowed)).isEqualTo(allowed);
        assertThat(cutPoints).as("cut points: 13 writes and the untouched image").isEqualTo(14);
        assertThat(everyUnflushedSubset(runningImage(), STORE_THREE, old, neu, allowed)).isEqualTo(allowed);
    }

    @Test
    void the_in_place_in_use_update_cut_after_every_write_leaves_old_in_use_or_no_bitmaps() throws Exception {
        Map<String, Qcow2Bitmap> old = byName(OLD_A, OLD_B);
        Set<Outcome> allowed = EnumSet.of(Outcome.OLD_CONSISTENT, Outcome.NO_BITMAPS, Outcome.IN_USE_INCONSISTENT);
        assertThat(everyCutPoint(imageWith(OLD_A, OLD_B), SET_IN_USE_ON_LOAD, old, Map.of(), allowed))
                .isEqualTo(allowed);
        assertThat(cutPoints).as("cut points: header, directory, header, and the untouched image").isEqualTo(4);
        assertThat(everyUnflushedSubset(imageWith(OLD_A, OLD_B), SET_IN_USE_ON_LOAD, old, Map.of(), allowed))
                .isEqualTo(allowed);
    }

    @Test
    void a_whole_session_cut_after_every_write_never_shows_a_bitmap_missing_a_write() throws Exception {
        Map<String, Qcow2Bitmap> old = byName(OLD_A, OLD_B);
        Map<String, Qcow2Bitmap> neu = byName(NEW_A, NEW_B, NEW_C);
        // b is disabled, so the session's writes do not reach it; the stored b keeps the old bits
        neu.put("b", OLD_B);
        Set<Outcome> allowed = EnumSet.allOf(Outcome.class);
        assertThat(everyCutPoint(imageWith(OLD_A, OLD_B), OPEN_WRITE_CLOSE, old, neu, allowed)).isEqualTo(allowed);
        assertThat(cutPoints).isEqualTo(17);
        assertThat(everyUnflushedSubset(imageWith(OLD_A, OLD_B), OPEN_WRITE_CLOSE, old, neu, allowed))
                .isEqualTo(allowed);
    }

    @Test
    void removing_an_entry_cut_after_every_write_leaves_the_old_or_the_new_directory() throws Exception {
        Map<String, Qcow2Bitmap> old = byName(OLD_A, OLD_B);
        Map<String, Qcow2Bitmap> neu = byName(OLD_B);
        Set<Outcome> allowed = EnumSet.of(Outcome.OLD_CONSISTENT, Outcome.NEW_CONSISTENT);
        assertThat(everyCutPoint(imageWith(OLD_A, OLD_B), REMOVE_A, old, neu, allowed)).isEqualTo(allowed);
        assertThat(cutPoints).isEqualTo(5);
        assertThat(everyUnflushedSubset(imageWith(OLD_A, OLD_B), REMOVE_A, old, neu, allowed)).isEqualTo(allowed);
    }
}
