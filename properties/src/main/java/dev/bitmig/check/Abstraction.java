package dev.bitmig.check;

import dev.bitmig.impl.ImplSystem;
import dev.bitmig.impl.MigrationState;
import dev.bitmig.impl.hbitmap.HBitmap;
import dev.bitmig.impl.node.BlockNode;
import dev.bitmig.impl.node.DirtyBitmap;
import dev.bitmig.impl.node.Disk;
import dev.bitmig.impl.store.ImageStore;
import dev.bitmig.impl.store.StoredEntry;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Ghost;
import dev.bitmig.model.Image;
import dev.bitmig.model.Migration;
import dev.bitmig.model.Mirror;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.StoredBitmap;
import dev.bitmig.model.Successor;
import dev.bitmig.model.World;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.collection.Vector;
import io.vavr.control.Option;

/**
 * The refinement mapping: the implementation's state as a model world, with the ghost erased as
 * {@link World#observable()} does. Granules are counted in the bitmap's own granularity, granularities in clusters.
 */
public final class Abstraction {
    private Abstraction() {
    }

    /** The model world that the implementation's state describes. */
    public static World of(ImplSystem impl) {
        return new World(image(impl.image(), impl.disk()), node(impl.node(NodeId.SOURCE)), node(impl.node(NodeId.TARGET)),
                migration(impl.migration()), Ghost.EMPTY, io.vavr.collection.List.empty(), impl.policyHooks().state());
    }

    private static Image image(ImageStore image, Disk disk) {
        Vector<Integer> lastWrite = Vector.ofAll(image.lastWrite());
        SortedMap<String, StoredBitmap> dir = TreeMap.empty();
        for (var e : image.loadDirectory().entrySet()) {
            StoredEntry s = e.getValue();
            HBitmap bits = HBitmap.create(disk.bytes(), Long.numberOfTrailingZeros(s.granularityBytes()));
            bits.deserializePart(s.data(), 0, bits.size(), true);
            dir = dir.put(e.getKey(), new StoredBitmap(clusters(s.granularityBytes()), s.inUse(), s.auto(),
                    granuleSet(bits.dirtyGranules()), 0));
        }
        return new Image(image.clock(), lastWrite, image.autoclear(), dir, Option.ofOptional(image.owner()), image.full());
    }

    private static Migration migration(MigrationState m) {
        return new Migration(m.phase, m.capability, m.handedOver, m.sourceWasRunning, TreeSet.ofAll(m.riding),
                TreeSet.ofAll(m.enabledAtStart), Option.of(m.error));
    }

    private static Node node(BlockNode n) {
        SortedMap<String, Bitmap> bitmaps = TreeMap.empty();
        for (var e : n.bitmaps().entrySet()) {
            DirtyBitmap b = e.getValue();
            Option<Successor> succ = b.hasSuccessor()
                    ? Option.some(new Successor(b.successorEnabled(), granuleSet(Disk.granules(b.successor()))))
                    : Option.none();
            bitmaps = bitmaps.put(e.getKey(), new Bitmap(clusters(b.granularityBytes()), b.persistent(), b.enabled(),
                    b.busy(), b.skipStore(), b.inconsistent(), b.readonly(), granuleSet(Disk.granules(b.bits())), succ, 0));
        }
        Option<Mirror> mirror = n.mirror() == null ? Option.none() : Option.some(new Mirror(
                clusters(n.mirror().granularityBytes()), granuleSet(Disk.granules(n.mirror().bits())), 0));
        Option<dev.bitmig.model.BackupJob> backup = n.backup() == null ? Option.none() : Option.some(
                new dev.bitmig.model.BackupJob(n.backup().bitmap(), n.backup().sync(), n.backup().mode(),
                        granuleSet(Disk.granules(n.backup().toCopy())), TreeMap.empty(), 0));
        return new Node(n.run(), n.block(), n.readOnly(), bitmaps, mirror, n.autostart(), n.noBitmaps(), backup,
                n.unflushed());
    }

    private static int clusters(long granularityBytes) {
        return Math.toIntExact(granularityBytes / Disk.CLUSTER);
    }

    private static SortedSet<Integer> granuleSet(long[] granules) {
        SortedSet<Integer> out = TreeSet.empty();
        for (long g : granules) {
            out = out.add((int) g);
        }
        return out;
    }
}
