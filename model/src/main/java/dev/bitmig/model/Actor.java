package dev.bitmig.model;

import io.vavr.control.Option;

/** Which QEMU an action acts on: the node it names, or none (migration commands, and tools writing the image). */
public final class Actor implements Action.Visitor<Option<NodeId>> {
    private static final Actor INSTANCE = new Actor();

    private Actor() {
    }

    public static Option<NodeId> of(Action a) {
        return a.accept(INSTANCE);
    }

    @Override public Option<NodeId> visit(Action.GuestWrite a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.ForeignWrite a) { return Option.none(); }
    @Override public Option<NodeId> visit(Action.Inactivate a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.Activate a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.Cont a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.Stop a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.MigrateStart a) { return Option.none(); }
    @Override public Option<NodeId> visit(Action.MigrateComplete a) { return Option.none(); }
    @Override public Option<NodeId> visit(Action.MigrateCancel a) { return Option.none(); }
    @Override public Option<NodeId> visit(Action.MigrateFail a) { return Option.none(); }
    @Override public Option<NodeId> visit(Action.BitmapAdd a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BitmapRemove a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BitmapClear a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BitmapEnable a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BitmapDisable a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BitmapMerge a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.Quit a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.Crash a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.Launch a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.Backup a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.MirrorStart a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.MirrorCopy a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.MirrorCancel a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BackupStart a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BackupCopy a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BackupFail a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.BackupCancel a) { return Option.some(a.node()); }
    @Override public Option<NodeId> visit(Action.ImgBitmap a) { return Option.none(); }
    @Override public Option<NodeId> visit(Action.ImgCheck a) { return Option.none(); }
    @Override public Option<NodeId> visit(Action.ImgConvert a) { return Option.none(); }
    @Override public Option<NodeId> visit(Action.VolumeFull a) { return Option.none(); }
}
