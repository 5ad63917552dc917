package dev.bitmig.impl.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bitmig.impl.qcow2.BitmapDirectoryEntry;
import dev.bitmig.impl.qcow2.CrashingWriteLayer;
import dev.bitmig.impl.qcow2.MemoryWriteLayer;
import dev.bitmig.impl.qcow2.Qcow2Image;
import dev.bitmig.model.NodeId;
import org.junit.jupiter.api.Test;

/** The contract on a real qcow2 image in memory, and what lands in that image. */
class Qcow2ImageStoreTest extends ImageStoreContract {

    @Override
    Qcow2ImageStore store() {
        return new Qcow2ImageStore(CLUSTERS, CLUSTER, SOURCE_ACTIVE);
    }

    static int flags(Qcow2ImageStore s, String name) {
        return s.qcow2().bitmap(name).orElseThrow().flags();
    }

    @Test
    void theImageCoversEveryCluster() {
        Qcow2Image img = store().qcow2();
        assertThat(img.diskSize()).isEqualTo(CLUSTERS * CLUSTER);
        assertThat(img.bitmapsConsistent()).isFalse();
    }

    @Test
    void entriesLandInTheDirectoryWithTheirFlags() {
        Qcow2ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B.withInUse(true)));
        assertThat(flags(s, "a")).isEqualTo(BitmapDirectoryEntry.FLAG_AUTO);
        assertThat(flags(s, "b")).isEqualTo(BitmapDirectoryEntry.FLAG_IN_USE);
        assertThat(s.qcow2().bitmap("b").orElseThrow().granularityBits()).isEqualTo(17);
        s.setInUse(NodeId.SOURCE, "a");
        assertThat(flags(s, "a")).isEqualTo(BitmapDirectoryEntry.FLAG_IN_USE | BitmapDirectoryEntry.FLAG_AUTO);
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B));
        assertThat(flags(s, "a")).isEqualTo(BitmapDirectoryEntry.FLAG_AUTO);
        assertThat(flags(s, "b")).isZero();
        assertThat(s.qcow2().referencedButUnallocated()).isEmpty();
        assertThat(s.qcow2().allocatedButUnreferenced()).isEmpty();
    }

    @Test
    void onlyChangedEntriesAreWrittenAgain() {
        CrashingWriteLayer device = new CrashingWriteLayer(new MemoryWriteLayer());
        Qcow2ImageStore s = new Qcow2ImageStore(CLUSTERS, CLUSTER, SOURCE_ACTIVE, () -> device);
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B));
        long tableA = s.qcow2().bitmap("a").orElseThrow().tableOffset();
        long writes = device.writes();
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B));
        assertThat(device.writes()).as("an unchanged directory").isEqualTo(writes);
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B.withData(data(0b11))));
        assertThat(device.writes()).isGreaterThan(writes);
        assertThat(s.qcow2().bitmap("a").orElseThrow().tableOffset()).isEqualTo(tableA);
    }

    @Test
    void clearingAutoclearTouchesOnlyBit0() {
        Qcow2ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("a", A));
        s.clearAutoclear(NodeId.TARGET);
        assertThat(s.qcow2().autoclearFeatures()).isZero();
        assertThat(s.qcow2().hasBitmapsExtension()).isTrue();
    }

    @Test
    void aCopyIsASecondQcow2ImageThatTakesThePlaceOfTheFirst() {
        Qcow2ImageStore s = store();
        s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B));
        Qcow2Image first = s.qcow2();
        s.replaceWithCopy(null, dir("a", A));
        assertThat(s.qcow2()).isNotSameAs(first);
        assertThat(first.bitmaps()).hasSize(2);
        assertThat(flags(s, "a")).isEqualTo(BitmapDirectoryEntry.FLAG_AUTO);
        assertThat(s.qcow2().bitmapsConsistent()).isTrue();
        assertThat(s.qcow2().referencedButUnallocated()).isEmpty();
        assertThat(s.qcow2().allocatedButUnreferenced()).isEmpty();
    }

    /**
     * The rename happens only after the copy is complete: a copy that fails half-written, after any number of its
     * writes, leaves the image as it was.
     */
    @Test
    void aCopyThatFailsWhileItIsWrittenLeavesTheImageAsItWas() {
        int failed = 0;
        boolean completed = false;
        for (int n = 0; n < 64 && !completed; n++) {
            java.util.Iterator<CrashingWriteLayer> devices = java.util.List.of(new CrashingWriteLayer(new MemoryWriteLayer()),
                    new CrashingWriteLayer(new MemoryWriteLayer()).crashAfter(n)).iterator();
            Qcow2ImageStore s = new Qcow2ImageStore(CLUSTERS, CLUSTER, SOURCE_ACTIVE, devices::next);
            s.storeEntries(NodeId.SOURCE, dir("a", A, "b", B));
            Qcow2Image first = s.qcow2();
            try {
                s.replaceWithCopy(null, dir("a", A));
                completed = true;
                assertThat(s.qcow2()).isNotSameAs(first);
            } catch (RuntimeException e) {
                failed++;
                assertThat(s.qcow2()).as("after a crash at write %d of the copy", n).isSameAs(first);
                assertThat(shown(s.loadDirectory())).isEqualTo(shown(dir("a", A, "b", B)));
            }
        }
        assertThat(completed).as("a copy with enough writes completes").isTrue();
        assertThat(failed).as("copies that crashed before they were complete").isGreaterThan(3);
    }
}
