package dev.bitmig.live;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verdicts on known disagreement signatures, decided by reading QEMU's source (qemu/qemu: block/qcow2-bitmap.c,
 * block/dirty-bitmap.c, migration/block-dirty-bitmap.c, migration/migration.c, block.c). A signature not listed here
 * is reported as undecided.
 */
final class Verdicts {
    private Verdicts() {
    }

    record Verdict(String verdict, String explanation) {
    }

    private static final Map<String, Verdict> KNOWN = new LinkedHashMap<>();

    static {
        // The earlier "source bitmap busy" disagreement (busy until completion in the model) was model-wrong and is
        // fixed: Lifecycle.handover clears busy as dirty_bitmap_save_complete does. What remains under this name:
        KNOWN.put("source bitmap busy", new Verdict("QEMU-wrong, now in the model (Node.noBitmaps)",
                "migration/block-dirty-bitmap.c: init_dirty_bitmap_migration() sets DBMSaveState.no_bitmaps when a "
                        + "migration with the dirty-bitmaps capability finds no bitmap, and only init_dirty_bitmap_migration() "
                        + "clears it; dirty_bitmap_is_active() returns false while it is set, so qemu_savevm_state_setup() "
                        + "(migration/savevm.c) never calls dirty_bitmap_save_setup() again. After one migration without "
                        + "bitmaps, no later migration of that QEMU process migrates any bitmap: they are not busy on the "
                        + "source and never reach the target (a transient one is lost there without a word). Seen on "
                        + "QEMU 7.2.22 (a target quit in pre-switchover, a bitmap added, a second migrate); the code is "
                        + "the same in 10.0.2, where the live runner sees it too. The model now has QEMU's latch "
                        + "(Node.noBitmaps), so a disagreement here is another case."));
        KNOWN.put("target bitmap busy", KNOWN.get("source bitmap busy"));
        KNOWN.put("source node readable", new Verdict("model-wrong, fixed",
                "block/qcow2.c qcow2_co_invalidate_cache(): when qcow2_do_open() fails during activation (here "
                        + "'Could not reopen qcow2 layer: Bitmap already exists: a') it sets bs->drv = NULL. The node "
                        + "is left without a driver: query-named-block-nodes fails with 'Block device drive0 is "
                        + "ejected' and I/O fails with 'No medium found'. The model keeps the node inactive with its "
                        + "bitmaps in RAM. QEMU's behaviour is deliberate (the node's state is unknown after a failed "
                        + "reopen). Fixed: the model now ejects the node (BlockState.EJECTED, D4), refuses writes and new bitmaps with QEMU's "
                        + "'No medium found' texts, and reports the lost disk as the NoLostDisk invariant."));
        KNOWN.put("target node readable", KNOWN.get("source node readable"));
        KNOWN.put("GuestWrite error text", new Verdict("model-wrong",
                "The model's text 'write failed: Operation not permitted' is not what QEMU 7.2 prints through HMP "
                        + "qemu-io: on an inactive node qemu-io's BlockBackend cannot get WRITE permission and prints "
                        + "'Block node is read-only' (block.c bdrv_node_refresh_perm / qemu-io-cmds.c command()); on a "
                        + "node whose driver is gone it is 'write failed: No medium found'. Both refuse the write, so "
                        + "only the text is wrong."));
        KNOWN.put("MigrateStart error text", new Verdict("model-wrong",
                "The connection error text depends on the transport and version; QEMU 7.2 with a unix: URI reports "
                        + "the socket error from qio_channel_socket_connect (e.g. 'No such file or directory' when no "
                        + "incoming QEMU listens), not the model's 'Failed to connect socket: Connection refused'."));
        KNOWN.put("target process", new Verdict("model-wrong, fixed",
                "Two cases. (1) After handover the source has written the whole precopy stream before it waits on the "
                        + "return path (migration.c migration_completion); if the source then dies, the target still "
                        + "loads the complete stream, activates and runs (process_incoming_migration_bh): fixed earlier, "
                        + "Lifecycle.abandonMigration completes the migration on the target. (2) When the source's "
                        + "migration setup fails (a busy, readonly or inconsistent bitmap: init_dirty_bitmap_migration), "
                        + "the source closes the stream and the incoming QEMU's load fails, so it exits; the model kept "
                        + "it waiting. Fixed: a failed setup ends the migration as any other failure does "
                        + "(Lifecycle.endMigration), in the model and in the implementation."));
        KNOWN.put("MigrateStart outcome", new Verdict("model-wrong for QEMU_7_2, fixed (Release.postmigrateAfterFailure)",
                "migration.c migrate_prepare() refuses a new migration while the run state is postmigrate: 'Can't "
                        + "migrate the vm that was paused due to previous migration'. QEMU 7.2's "
                        + "migration_iteration_finish() puts a VM that was not running into postmigrate after a failed "
                        + "or cancelled migration that had reached finish-migrate; QEMU 10.0 restores its old run state "
                        + "(vm_old_state). The model followed 10.0 for both releases; it now leaves a 7.2 VM that was not "
                        + "running in postmigrate after any failed or cancelled migration but a failed setup: with no "
                        + "dirty RAM its migration enters finish-migrate at once (and the harness's "
                        + "pause-before-switchover holds it there)."));
        KNOWN.put("target bitmap presence", new Verdict("model-wrong for QEMU_7_2, fixed (Release.contActivatesIncoming)",
                "QEMU 7.2's qmp_cont (monitor/qmp-cmds.c) calls bdrv_activate_all() before it checks for an incoming "
                        + "VM, so cont on the incoming target activates its node (takes the image lock and loads the "
                        + "stored bitmaps) while it still waits for the migration; QEMU 10.0 only sets autostart there "
                        + "(activation moved into the branch for a VM that is not incoming). The model followed 10.0 for "
                        + "both releases; it now activates a 7.2 incoming VM at cont, which is refused while the source "
                        + "holds the image ('Failed to get \"write\" lock'), and once it worked keeps a later source "
                        + "from opening the image."));
        KNOWN.put("Launch outcome", KNOWN.get("target bitmap presence"));
        KNOWN.put("violation NoSilentLoss (model does not predict it)", KNOWN.get("target bitmap presence"));
        KNOWN.put("Cont error text", new Verdict("model-wrong, fixed",
                "monitor/qmp-cmds.c qmp_cont refuses a VM in finish-migrate with 'Migration is not finalized yet'. "
                        + "From the handover (migration_completion stops the VM into finish-migrate, then inactivates) "
                        + "until the migration ends, the source is in that state. The model answered with migrate's "
                        + "'There's a migration process in progress' (migrate_prepare); it now gives qmp_cont's text."));
        KNOWN.put("Cont outcome", KNOWN.get("target bitmap presence"));
        KNOWN.put("refused activation", new Verdict("QEMU-wrong (not modelled)",
                "block.c bdrv_activate() activates a node's children before its own permission refresh. When cont "
                        + "(or blockdev-set-active) is refused for the image lock, the protocol node file0 has already "
                        + "been activated (bdrv_refresh_total_sectors cached the file's length) and is not rolled back, "
                        + "while the qcow2 node stays inactive. When the other QEMU then stores bitmaps, the new bitmap "
                        + "directory lies past that cached end of file; at the next activation file0 is 'already "
                        + "active', so qcow2_co_invalidate_cache's qcow2_do_open -> qcow2_load_dirty_bitmaps -> "
                        + "bitmap_list_load reads zeros there (block/io.c bdrv_aligned_preadv zero-fills reads past "
                        + "total_sectors; a file node has no variable length), check_dir_entry fails with \"Bitmap '' "
                        + "doesn't satisfy the constraints\", and the node is ejected (bs->drv = NULL). Traced with "
                        + "strace on QEMU 7.2.22 and 10.0.2: the refused cont writes nothing, the image stays clean and "
                        + "the other QEMU's bitmap intact. Where the model predicts 'Bitmap already exists' the text "
                        + "differs; where it predicts a clean reload (a stored bitmap not in RAM) QEMU loses the disk. "
                        + "The model keeps no file length per node, so it does not predict this."));
        // The same activation after a refused one, through blockdev-set-active (QEMU 10.0) instead of cont.
        KNOWN.put("Activate error text", KNOWN.get("refused activation"));
        KNOWN.put("Activate outcome", KNOWN.get("refused activation"));
        KNOWN.put("violation NoLostDisk (model does not predict it)", KNOWN.get("refused activation"));
        KNOWN.put("ForeignWrite outcome", new Verdict("model-wrong, fixed (and earlier: harness, fixed)",
                "block.c bdrv_activate() takes the node's permissions, and with them the image's write lock, before "
                        + "the driver's reopen (bdrv_invalidate_cache); when the reopen fails it keeps them on purpose "
                        + "('we can just keep the extended permissions for the next time'). So a node ejected by a failed "
                        + "reactivation still holds the lock: a bitmap-aware qemu-io on the image fails with 'Failed to "
                        + "get \"write\" lock' until that QEMU quits. The model let the lock go; now the ejected node "
                        + "keeps it (Node.holdsLocks), in the model and the implementation. Earlier, under the same "
                        + "signature (harness, fixed): after a bitmap-unaware writer cleared autoclear bit 0, a "
                        + "bitmap-aware qemu-io warns (block/qcow2.c qcow2_read_extensions) and writes; the harness took "
                        + "the warning for a failure, and now ignores qemu-io's warnings, as the reproducer does."));
        KNOWN.put("abort bdrv_co_write_req_prepare", new Verdict("QEMU-wrong",
                "block/io.c bdrv_co_write_req_prepare() asserts that the node is not inactive. QEMU 10.0 lets a write "
                        + "get there: blockdev-set-active inactivates even a running VM's node (block-backend.c "
                        + "blk_can_inactivate allows guest devices), blk_insert_bs() gives a BlockBackend on an "
                        + "inactive node no permissions to check, and HMP qemu-io (like a guest) then writes: the whole "
                        + "QEMU aborts. QEMU 7.2 refuses the same write ('Block node is read-only'). The model "
                        + "(QEMU_10_0) predicts the abort, so the harness can send it; a write on an inactive node "
                        + "should fail with an error, not take the VM down."));
        KNOWN.put("source node active", new Verdict("harness, fixed",
                "QEMU 10.0 reports the node's 'active' field. After a migration that had handed over fails or is "
                        + "cancelled, migration_iteration_finish() reactivates the source (migration_block_activate) just "
                        + "after the migration's status changes, so an observation at once could see it still inactive. "
                        + "The harness now waits for the reactivation (LiveSystem.awaitSourceActivation)."));
        KNOWN.put("target node active", KNOWN.get("source node active"));
        KNOWN.put("target node readable", new Verdict("QEMU-wrong (minor)",
                "An inactive node (an incoming target, or a source after handover) keeps the qcow2 header it read at "
                        + "open. After the source's quit "
                        + "and a bitmap-aware qemu-io rewrote the bitmap directory elsewhere, query-named-block-nodes "
                        + "on the target reads the directory at the stale offset (qcow2_get_specific_info -> "
                        + "qcow2_get_bitmap_info_list) and fails with 'Bitmap extra data is not supported', or with \"Bitmap '' "
                        + "doesn't satisfy the constraints\" when the new directory lies past the file length the node "
                        + "cached (reads past it are zeros, block/io.c bdrv_aligned_preadv; see 'refused activation"
                        + "'). The model keeps no "
                        + "per-node copy of the header, so it cannot predict this."));
        KNOWN.put("violation NoSilentLoss (model predicts it)", new Verdict("QEMU-wrong",
                "Real QEMU loses the persistent bitmap exactly as the model predicts: a migration with the "
                        + "dirty-bitmaps capability that fails or is cancelled before the source inactivates leaves "
                        + "skip_store set (migration/block-dirty-bitmap.c init_dirty_bitmap_migration sets it, "
                        + "dirty_bitmap_do_save_cleanup does not reset it, and block.c bdrv_activate resets it only "
                        + "for nodes that were inactive). qcow2_store_persistent_dirty_bitmaps then skips the bitmap "
                        + "at quit, the IN_USE entry stays, and the next open loads it inconsistent: the data is gone "
                        + "with no message."));
        KNOWN.put("violation NoLostDisk (model predicts it)", new Verdict("QEMU-wrong",
                "Real QEMU loses the disk exactly as the model predicts: block/qcow2.c qcow2_co_invalidate_cache() "
                        + "closes the qcow2 layer and reopens it; when qcow2_do_open() fails (here qcow2_load_dirty_bitmaps: "
                        + "'Bitmap already exists', a bitmap in RAM whose name the other QEMU stored meanwhile) it sets "
                        + "bs->drv = NULL and nothing ever restores it. The command fails, but the node is left without a "
                        + "medium ('Block device drive0 is ejected', 'No medium found'), and a second cont runs the VM "
                        + "without its disk: block.c bdrv_activate() returns -ENOMEDIUM for a node without a driver "
                        + "but sets no error, so bdrv_activate_all() reports nothing and qmp_cont() calls vm_start(). "
                        + "Seen on QEMU 7.2.22 and 10.0.2."));
        KNOWN.put("violation NoUnderReport (model predicts it)", new Verdict("QEMU-wrong",
                "Real QEMU under-reports exactly as the model predicts: after a successful migration with the "
                        + "capability the source keeps its skip_store bitmaps in RAM; after the target writes and dies "
                        + "(or is stopped), cont on the source activates the node, qcow2_load_dirty_bitmaps skips the "
                        + "IN_USE entry because a same-named bitmap is in RAM (a505475b95), and the stale RAM copy "
                        + "does not report the target's writes. Nothing detects that the image changed meanwhile "
                        + "(the 'generation' TODO in block/qcow2.c qcow2_do_open)."));
    }

    /**
     * The verdict on a disagreement, by what QEMU showed where that tells more than the signature: a node that keeps a
     * stale qcow2 header fails to list its bitmaps the same way on either side.
     */
    static Verdict of(String signature, String observed) {
        // A node that keeps a stale qcow2 header fails to list its bitmaps, in one of two ways, on either side.
        if (signature.endsWith("node readable") && (observed.contains("Bitmap extra data is not supported")
                || observed.contains("doesn't satisfy the constraints"))) {
            return KNOWN.get("target node readable");
        }
        if (observed.contains("doesn't satisfy the constraints")) {
            return KNOWN.get("refused activation");
        }
        // A node the model keeps but QEMU ejected at an activation: the model predicts every ejection it knows of, so
        // this is the refused activation's cached file length (seen on QEMU 7.2.22: cont on the incoming target refused
        // for the lock, then the completion's activation reads the directory the source stored past that length).
        if (signature.endsWith("node readable") && observed.contains("Block device drive0 is ejected")) {
            return KNOWN.get("refused activation");
        }
        return of(signature);
    }

    static Verdict of(String signature) {
        for (var e : KNOWN.entrySet()) {
            if (signature.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return new Verdict("undecided", "not yet traced in QEMU's source");
    }
}
