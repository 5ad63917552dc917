package dev.bitmig.model;

import io.vavr.collection.List;

/**
 * The action alphabet, as TLA+'s {@code Next} lists every action: every action to try in a world, in a fixed order
 * (which makes a search deterministic). The explorer and the random chains take their actions from here.
 */
public final class Next {
    private Next() {
    }

    /**
     * Whether the search tries this action in this world. Everything is tried, except, unless the bounds ask for it,
     * adding a bitmap to a node that does not own the image (see {@link Alphabet#inactiveAdds()}).
     */
    public static boolean tried(Alphabet b, World w, Action a) {
        return b.inactiveAdds() || !(a instanceof Action.BitmapAdd add) || w.node(add.node()).isActive();
    }

    /** Every action of the alphabet, in a fixed order. */
    public static List<Action> actions(Alphabet b) {
        java.util.List<Action> all = new java.util.ArrayList<>();
        for (NodeId n : NodeId.values()) {
            // A zero-length write is legal and must change nothing (H12).
            all.add(new Action.GuestWrite(n, b.clusters() - 1, 0));
            for (int first = 0; first < b.clusters(); first += b.writeStride()) {
                for (int count = 1; count <= b.maxWrite() && first + count <= b.clusters(); count++) {
                    all.add(new Action.GuestWrite(n, first, count));
                }
            }
        }
        for (Action.Writer w : Action.Writer.values()) {
            for (int first = 0; first < b.clusters(); first += b.writeStride()) {
                for (int count = 1; count <= b.maxWrite() && first + count <= b.clusters(); count++) {
                    all.add(new Action.ForeignWrite(w, first, count));
                }
            }
        }
        all.add(new Action.MigrateStart(true));
        all.add(new Action.MigrateStart(false));
        all.add(new Action.MigrateComplete());
        all.add(new Action.MigrateCancel());
        all.add(new Action.MigrateFail(Action.FailPoint.BEFORE_HANDOVER));
        all.add(new Action.MigrateFail(Action.FailPoint.AFTER_HANDOVER));
        if (b.capabilities().storeFailures()) {
            all.add(new Action.VolumeFull(true));
            all.add(new Action.VolumeFull(false));
        }
        if (b.capabilities().offlineTools()) {
            all.add(new Action.ImgCheck());
            all.add(new Action.ImgConvert(false));
            all.add(new Action.ImgConvert(true));
            for (String name : b.names()) {
                for (int g : b.granularities()) {
                    // Added enabled, as BitmapAdd: --disable reaches the disabled ones one step later.
                    all.add(Action.ImgBitmap.add(name, g, false));
                }
                for (Action.ImgOp op : java.util.List.of(Action.ImgOp.REMOVE, Action.ImgOp.CLEAR, Action.ImgOp.ENABLE,
                        Action.ImgOp.DISABLE)) {
                    all.add(Action.ImgBitmap.of(op, name));
                }
                for (String other : b.names()) {
                    if (!other.equals(name)) {
                        all.add(Action.ImgBitmap.merge(name, other));
                    }
                }
            }
        }
        for (NodeId n : NodeId.values()) {
            all.add(new Action.Inactivate(n));
            all.add(new Action.Activate(n));
            all.add(new Action.Cont(n));
            all.add(new Action.Stop(n));
            all.add(new Action.Quit(n));
            all.add(new Action.Crash(n));
            all.add(new Action.Launch(n, false, false));
            all.add(new Action.Launch(n, true, false));
            if (b.readOnlyLaunch()) {
                all.add(new Action.Launch(n, false, true));
            }
            for (int g : b.mirrorGranularities()) {
                all.add(new Action.MirrorStart(n, g));
            }
            if (!b.mirrorGranularities().isEmpty()) {
                all.add(new Action.MirrorCopy(n));
                all.add(new Action.MirrorCancel(n));
            }
            if (b.capabilities().backupJobs()) {
                all.add(new Action.BackupCopy(n));
                all.add(new Action.BackupFail(n));
                all.add(new Action.BackupCancel(n));
            }
            for (String name : b.names()) {
                for (int g : b.granularities()) {
                    // Added enabled; BitmapDisable reaches the disabled ones one step later.
                    all.add(new Action.BitmapAdd(n, name, g, true, false));
                    all.add(new Action.BitmapAdd(n, name, g, false, false));
                }
                all.add(new Action.BitmapRemove(n, name));
                all.add(new Action.BitmapClear(n, name));
                all.add(new Action.BitmapEnable(n, name));
                all.add(new Action.BitmapDisable(n, name));
                all.add(new Action.Backup(n, name));
                if (b.capabilities().backupJobs()) {
                    // sync=incremental is sync=bitmap with on-success (blockdev.c), so bitmap is tried with the others.
                    all.add(new Action.BackupStart(n, name, Action.Sync.INCREMENTAL, Action.BitmapMode.ON_SUCCESS));
                    all.add(new Action.BackupStart(n, name, Action.Sync.BITMAP, Action.BitmapMode.ALWAYS));
                    all.add(new Action.BackupStart(n, name, Action.Sync.BITMAP, Action.BitmapMode.NEVER));
                }
                for (String other : b.names()) {
                    if (!other.equals(name)) {
                        all.add(new Action.BitmapMerge(n, name, List.of(other)));
                    }
                }
            }
        }
        return List.ofAll(all).filter(a -> !b.without().contains(a.kind()));
    }
}
