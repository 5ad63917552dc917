package dev.bitmig.model;

import io.vavr.collection.SortedSet;

import static dev.bitmig.model.ClassPart.Kind.STEP;

/** The vocabulary of silent-loss classes: the step that lost the bitmap, and where its copies were. */
final class LossText {
    private LossText() {
    }

    /** The step, with what QEMU does in it that can lose a bitmap. */
    static ClassPart step(Action a) {
        String slug = slug(a);
        String why = a.accept(new Words());
        return new ClassPart(STEP, slug, "The bitmap vanished at the step " + slug + ": " + why + ".");
    }

    static String slug(Action a) {
        String kind = kebab(a.kind());
        String node = a.accept(new NodeOf());
        return node.isEmpty() ? kind : kind + "-" + node;
    }

    /** MigrateStart -> migrate-start. */
    static String kebab(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                b.append('-');
            }
            b.append(Character.toLowerCase(c));
        }
        return b.toString();
    }

    static String copies(SortedSet<String> where) {
        if (where.isEmpty()) {
            return "Just before the step it had no copy left that the step could have kept.";
        }
        return "Just before the step its copies were: " + where.mkString(", ") + " (ram: a BdrvDirtyBitmap, with "
                + "skip_store set by migration setup in dirty_bitmap_save_setup, migration/block-dirty-bitmap.c, where "
                + "marked; image: a bitmap directory entry, in-use when its IN_USE flag is set).";
    }

    /** The node an action acts on, lower case, or empty. */
    private static final class NodeOf implements Action.Visitor<String> {
        public String visit(Action.GuestWrite a) { return a.node().lower(); }
        public String visit(Action.ForeignWrite a) { return a.writer().name().toLowerCase(java.util.Locale.ROOT); }
        public String visit(Action.Inactivate a) { return a.node().lower(); }
        public String visit(Action.Activate a) { return a.node().lower(); }
        public String visit(Action.Cont a) { return a.node().lower(); }
        public String visit(Action.Stop a) { return a.node().lower(); }
        public String visit(Action.MigrateStart a) { return a.capability() ? "bitmaps" : "no-bitmaps"; }
        public String visit(Action.MigrateComplete a) { return ""; }
        public String visit(Action.MigrateCancel a) { return ""; }
        public String visit(Action.MigrateFail a) { return a.when().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }
        public String visit(Action.BitmapAdd a) { return a.node().lower(); }
        public String visit(Action.BitmapRemove a) { return a.node().lower(); }
        public String visit(Action.BitmapClear a) { return a.node().lower(); }
        public String visit(Action.BitmapEnable a) { return a.node().lower(); }
        public String visit(Action.BitmapDisable a) { return a.node().lower(); }
        public String visit(Action.BitmapMerge a) { return a.node().lower(); }
        public String visit(Action.Quit a) { return a.node().lower(); }
        public String visit(Action.Crash a) { return a.node().lower(); }
        public String visit(Action.Launch a) { return a.node().lower() + (a.incoming() ? "-incoming" : "") + (a.readOnly() ? "-readonly" : ""); }
        public String visit(Action.Backup a) { return a.node().lower(); }
        public String visit(Action.MirrorStart a) { return a.node().lower(); }
        public String visit(Action.MirrorCopy a) { return a.node().lower(); }
        public String visit(Action.MirrorCancel a) { return a.node().lower(); }
        public String visit(Action.BackupStart a) { return a.node().lower(); }
        public String visit(Action.BackupCopy a) { return a.node().lower(); }
        public String visit(Action.BackupFail a) { return a.node().lower(); }
        public String visit(Action.BackupCancel a) { return a.node().lower(); }
        public String visit(Action.ImgBitmap a) { return a.op().word(); }
        public String visit(Action.ImgCheck a) { return ""; }
        public String visit(Action.ImgConvert a) { return a.skipBroken() ? "skip-broken" : ""; }
        public String visit(Action.VolumeFull a) { return a.full() ? "full" : "freed"; }
    }

    /** What QEMU does in each step that can make a persistent bitmap disappear. */
    private static final class Words implements Action.Visitor<String> {
        public String visit(Action.GuestWrite a) { return "a guest write changes no bitmap's existence"; }
        public String visit(Action.ForeignWrite a) { return "a tool's open of the image drops every entry when autoclear bit 0 is clear (qcow2_do_open, block/qcow2.c)"; }
        public String visit(Action.Inactivate a) { return "inactivation stores only bitmaps without skip_store and releases them (qcow2_inactivate, qcow2_store_persistent_dirty_bitmaps in block/qcow2-bitmap.c)"; }
        public String visit(Action.Activate a) { return "activation reloads from the image and keeps only what the policy keeps (bdrv_activate, block.c; qcow2_co_invalidate_cache, block/qcow2.c)"; }
        public String visit(Action.Cont a) { return "cont activates every inactive node first (qmp_cont, monitor/qmp-cmds.c)"; }
        public String visit(Action.Stop a) { return "stop only pauses the VM"; }
        public String visit(Action.MigrateStart a) { return "migration setup selects the bitmaps and sets skip_store on them (dirty_bitmap_save_setup, migration/block-dirty-bitmap.c)"; }
        public String visit(Action.MigrateComplete a) { return "completion hands over, and the target activates and takes the bitmaps it received (process_incoming_migration_bh, migration/migration.c)"; }
        public String visit(Action.MigrateCancel a) { return "a cancelled migration makes the incoming QEMU exit and drop what it received (dirty_bitmap_mig_cancel_incoming, migration/block-dirty-bitmap.c)"; }
        public String visit(Action.MigrateFail a) { return "a failed migration makes the incoming QEMU exit and drop what it received, and the source keeps skip_store (dirty_bitmap_do_save_cleanup, migration/block-dirty-bitmap.c)"; }
        public String visit(Action.BitmapAdd a) { return "adding a bitmap changes no other bitmap"; }
        public String visit(Action.BitmapRemove a) { return "block-dirty-bitmap-remove removes the bitmap, and its entry only from an active node (block/monitor/bitmap-qmp-cmds.c)"; }
        public String visit(Action.BitmapClear a) { return "clearing a bitmap keeps it"; }
        public String visit(Action.BitmapEnable a) { return "enabling a bitmap keeps it"; }
        public String visit(Action.BitmapDisable a) { return "disabling a bitmap keeps it"; }
        public String visit(Action.BitmapMerge a) { return "merging keeps every bitmap"; }
        public String visit(Action.Quit a) { return "quit closes the node through bdrv_close_all, which stores only from an active node and skips bitmaps with skip_store (qcow2_store_persistent_dirty_bitmaps, block/qcow2-bitmap.c)"; }
        public String visit(Action.Crash a) { return "kill -9 loses RAM and leaves IN_USE entries that load as inconsistent"; }
        public String visit(Action.Launch a) { return "an open loads the image's entries, dropping them all when autoclear bit 0 is clear (qcow2_load_dirty_bitmaps, block/qcow2-bitmap.c)"; }
        public String visit(Action.Backup a) { return "an incremental backup clears the bitmap and keeps it"; }
        public String visit(Action.MirrorStart a) { return "a mirror job's bitmap is anonymous"; }
        public String visit(Action.MirrorCopy a) { return "a mirror iteration touches only the job's bitmap"; }
        public String visit(Action.MirrorCancel a) { return "cancelling a mirror job releases only the job's bitmap"; }
        public String visit(Action.BackupStart a) { return "a backup job freezes the bitmap and gives it a successor (bdrv_dirty_bitmap_create_successor, block/dirty-bitmap.c)"; }
        public String visit(Action.BackupCopy a) { return "a backup job's last step abdicates or reclaims the successor and keeps the bitmap's name (backup_cleanup_sync_bitmap, block/backup.c)"; }
        public String visit(Action.BackupFail a) { return "a failed backup job abdicates or reclaims the successor and keeps the bitmap's name (backup_abort, block/backup.c)"; }
        public String visit(Action.BackupCancel a) { return "a cancelled backup job abdicates or reclaims the successor and keeps the bitmap's name (backup_abort, block/backup.c)"; }
        public String visit(Action.ImgBitmap a) { return "qemu-img bitmap's read-write open drops every entry when autoclear bit 0 is clear (qcow2_do_open, block/qcow2.c), and --remove removes the entry, also an in-use one (qemu-img.c img_bitmap)"; }
        public String visit(Action.ImgCheck a) { return "qemu-img check -r all's read-write open drops every entry when autoclear bit 0 is clear (qcow2_do_open, block/qcow2.c); the check repairs only refcounts and keeps in-use entries (qcow2_co_check_locked)"; }
        public String visit(Action.ImgConvert a) { return "qemu-img convert --bitmaps opens the image read-only and copies only the bitmaps it loaded: none when autoclear bit 0 is clear (qcow2_read_extensions, block/qcow2.c), and with --skip-broken-bitmaps not the inconsistent ones, each with a warning (qemu-img.c convert_copy_bitmaps); the copy is renamed over the image"; }
        public String visit(Action.VolumeFull a) { return "the volume filling up or being freed writes nothing by itself"; }
    }
}
