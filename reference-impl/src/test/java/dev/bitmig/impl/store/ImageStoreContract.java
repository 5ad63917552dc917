package dev.bitmig.impl.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.model.NodeId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ImageStore} does, checked for each implementation: 16 clusters of 64 KiB (a 1 MiB image),
 * SOURCE active and TARGET inactive. Bitmap data is the serialized HBitmap: 8 bytes hold the 16 granules of 64 KiB
 * or the 8 of 128 KiB.
 */
abstract class ImageStoreContract {

    static final int CLUSTERS = 16;
    static final long CLUSTER = 1 << 16;
    static final Predicate<NodeId> SOURCE_ACTIVE = n -> n == NodeId.SOURCE;

    abstract ImageStore store();

    static byte[] data(int firstByte) {
        byte[] d = new byte[8];
        d[0] = (byte) firstByte;
        return d;
    }

    static final StoredEntry A = new StoredEntry(CLUSTER, false, true, data(0b101));
    static final StoredEntry B = new StoredEntry(2 * CLUSTER, false, false, data(0b1));

    static SortedMap<String, StoredEntry> dir(Object... nameEntry) {
        SortedMap<String, StoredEntry> m = new TreeMap<>();
        for (int i = 0; i < nameEntry.length; i += 2) {
            m.put((String) nameEntry[i], (StoredEntry) nameEntry[i + 1]);
        }
        return m;
    }

    /** The directory in comparable form (records holding arrays compare them by identity). */
    static Map<String, String> shown(SortedMap<String, StoredEntry> d) {
        Map<String, String> out = new LinkedHashMap<>();
        d.forEach((k, e) -> out.put(k, e.granularityBytes() + (e.inUse() ? " in-use" : "") + (e.auto() ? " auto" : "")
                + " " + Arrays.toString(e.data())));
        return out;
    }

    static StoreWrite write(StoreWrite.Op op, NodeId node, String detail) {
        return new StoreWrite(op, Optional.ofNullable(node), node == NodeId.SOURCE, detail);
    }

    @Test
    void aFreshStoreIsEmptyAndHasWrittenNothing() {
        ImageStore s = store();
        assertThat(s.autoclear()).isFalse();
        assertThat(s.loadDirectory()).isEmpty();
        assertThat(s.clock()).isZero();
        assertThat(s.lastWrite()).hasSize(CLUSTERS).containsOnly(0);
        assertThat(s.owner()).isEmpty();
        assertThat(s.log()).isEmpty();
    }

    @Test
    void storingEntriesReplacesTheDirectoryAndSetsAutoclearIffItHasEntries() {
        ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B));
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("a", A, "b", B)));
        assertThat(s.autoclear()).isTrue();
        s.storeEntries(NodeId.SOURCE, dir("b", B));
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("b", B)));
        s.storeEntries(NodeId.TARGET, dir());
        assertThat(s.loadDirectory()).isEmpty();
        assertThat(s.autoclear()).isFalse();
        assertThat(s.log()).containsExactly(write(StoreWrite.Op.DIRECTORY, NodeId.SOURCE, "a,b"),
                write(StoreWrite.Op.DIRECTORY, NodeId.SOURCE, "b"), write(StoreWrite.Op.DIRECTORY, NodeId.TARGET, ""));
    }

    @Test
    void everyChangedFieldOfAnEntryIsStored() {
        ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("a", A));
        List<StoredEntry> changes = List.of(new StoredEntry(2 * CLUSTER, false, true, data(0b101)),
                new StoredEntry(2 * CLUSTER, false, false, data(0b101)),
                new StoredEntry(2 * CLUSTER, false, false, data(0b110)),
                new StoredEntry(2 * CLUSTER, true, false, data(0b110)),
                new StoredEntry(2 * CLUSTER, true, true, data(0b110)),
                new StoredEntry(2 * CLUSTER, false, true, data(0b110)));
        for (StoredEntry e : changes) {
            s.storeEntries(NodeId.SOURCE, dir("a", e, "b", B));
            assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("a", e, "b", B)));
        }
    }

    @Test
    void setInUseMarksOneEntryAndKeepsItsAutoFlag() {
        ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B));
        s.setInUse(NodeId.SOURCE, "a");
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("a", A.withInUse(true), "b", B)));
        s.setInUse(NodeId.TARGET, "b");
        s.setInUse(NodeId.TARGET, "missing");
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("a", A.withInUse(true), "b", B.withInUse(true))));
        assertThat(s.log()).endsWith(write(StoreWrite.Op.SET_IN_USE, NodeId.SOURCE, "a"),
                write(StoreWrite.Op.SET_IN_USE, NodeId.TARGET, "b"),
                write(StoreWrite.Op.SET_IN_USE, NodeId.TARGET, "missing"));
    }

    @Test
    void removingTheLastEntryClearsAutoclear() {
        ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B));
        s.removeEntry(NodeId.SOURCE, "a");
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("b", B)));
        assertThat(s.autoclear()).isTrue();
        s.removeEntry(NodeId.SOURCE, "missing");
        s.removeEntry(null, "b");
        assertThat(s.loadDirectory()).isEmpty();
        assertThat(s.autoclear()).isFalse();
        assertThat(s.log()).endsWith(write(StoreWrite.Op.REMOVE_ENTRY, NodeId.SOURCE, "a"),
                write(StoreWrite.Op.REMOVE_ENTRY, NodeId.SOURCE, "missing"),
                write(StoreWrite.Op.REMOVE_ENTRY, null, "b"));
    }

    @Test
    void clearingAutoclearKeepsTheEntriesOnTheImage() {
        // qcow2.txt: a writer without bitmap support clears autoclear bit 0; the directory stays where it was
        ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("a", A));
        s.clearAutoclear(null);
        assertThat(s.autoclear()).isFalse();
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("a", A)));
        assertThat(s.log()).endsWith(write(StoreWrite.Op.CLEAR_AUTOCLEAR, null, ""));
        s.storeEntries(NodeId.SOURCE, dir("b", B));
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("b", B)));
        assertThat(s.autoclear()).isTrue();
    }

    @Test
    void aDataWriteTicksTheClockAndStampsItsClusters() {
        ImageStore s = store();
        s.writeData(NodeId.SOURCE, 3, 2);
        s.writeData(NodeId.TARGET, 4, 1);
        s.writeData(NodeId.SOURCE, 0, 0);
        assertThat(s.clock()).isEqualTo(2);
        int[] stamps = new int[CLUSTERS];
        stamps[3] = 1;
        stamps[4] = 2;
        assertThat(s.lastWrite()).isEqualTo(stamps);
        s.lastWrite()[0] = 99;
        assertThat(s.lastWrite()[0]).isZero();
        assertThat(s.log()).containsExactly(write(StoreWrite.Op.DATA, NodeId.SOURCE, "3+2"),
                write(StoreWrite.Op.DATA, NodeId.TARGET, "4+1"));
        assertThat(s.log().get(1).fromInactiveNode()).isTrue();
    }

    @Test
    void theOwnerIsNotAnImageWrite() {
        ImageStore s = store();
        s.setOwner(Optional.of(NodeId.TARGET));
        assertThat(s.owner()).contains(NodeId.TARGET);
        assertThat(s.log()).isEmpty();
    }

    @Test
    void restoringSetsTheWholeStateWithoutLogging() {
        ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("b", B));
        int[] stamps = new int[CLUSTERS];
        stamps[7] = 5;
        s.restore(5, stamps, true, dir("a", A), Optional.of(NodeId.TARGET));
        assertThat(s.clock()).isEqualTo(5);
        assertThat(s.lastWrite()).isEqualTo(stamps);
        assertThat(s.owner()).contains(NodeId.TARGET);
        assertThat(s.autoclear()).isTrue();
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("a", A)));
        assertThat(s.log()).hasSize(1);
    }

    @Test
    void restoringEntriesWithAutoclearClearKeepsThemOnTheImage() {
        ImageStore s = store();
        s.restore(0, new int[CLUSTERS], false, dir("a", A.withInUse(true), "b", B), Optional.empty());
        assertThat(s.autoclear()).isFalse();
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("a", A.withInUse(true), "b", B)));
        s.restore(0, new int[CLUSTERS], false, dir(), Optional.empty());
        assertThat(s.autoclear()).isFalse();
        assertThat(s.loadDirectory()).isEmpty();
        assertThat(s.log()).isEmpty();
    }

    @Test
    void aCopyReplacesTheDirectoryWithInUseClearAndKeepsTheData() {
        ImageStore s = store();
        s.writeData(NodeId.SOURCE, 3, 2);
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B.withInUse(true)));
        int[] stamps = s.lastWrite();
        s.replaceWithCopy(null, dir("b", B.withInUse(true)));
        assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("b", B)));
        assertThat(s.autoclear()).isTrue();
        assertThat(s.clock()).isEqualTo(1);
        assertThat(s.lastWrite()).isEqualTo(stamps);
        assertThat(s.log().get(s.log().size() - 1)).isEqualTo(write(StoreWrite.Op.REPLACED_BY_COPY, null, "b"));
        s.replaceWithCopy(null, dir());
        assertThat(s.loadDirectory()).isEmpty();
        assertThat(s.autoclear()).isFalse();
    }
}
