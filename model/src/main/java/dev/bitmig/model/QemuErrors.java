package dev.bitmig.model;

/**
 * Error texts. Where QEMU has one, it is QEMU's own (block/dirty-bitmap.c, block/monitor/bitmap-qmp-cmds.c,
 * block/qcow2-bitmap.c, migration/block-dirty-bitmap.c); the few that only bitmig needs say "bitmig:".
 */
public final class QemuErrors {
    private QemuErrors() {
    }

    public static String notRunning(NodeId n) {
        return "bitmig: no QEMU is running as " + n.lower();
    }

    public static String alreadyRunning(NodeId n) {
        return "bitmig: QEMU is already running as " + n.lower();
    }

    public static String notFound(String name) {
        return "Dirty bitmap '" + name + "' not found";
    }

    public static String alreadyExists(String name) {
        return "Bitmap already exists: " + name;
    }

    public static final String EMPTY_NAME = "Bitmap name cannot be empty";
    public static final String BAD_GRANULARITY = "Granularity must be power of 2 and at least 512";
    public static final int MAX_NAME_BYTES = 1023;

    public static String nameTooLong(String name) {
        return "Bitmap name too long: " + name;
    }

    public static String busy(String name) {
        return "Bitmap '" + name + "' is currently in use by another operation and cannot be used";
    }

    public static String readonly(String name) {
        return "Bitmap '" + name + "' is readonly and cannot be modified";
    }

    public static String inconsistent(String name) {
        return "Bitmap '" + name + "' is inconsistent and cannot be used";
    }

    /** qemu-img.c img_bitmap: a failed operation, as error_reportf_err prefixes QEMU's error (after "qemu-img: "). */
    public static String imgOperationFailed(String op, String name, String why) {
        return "Operation " + op + " on bitmap " + name + " failed: " + why;
    }

    /**
     * qemu-img.c convert_check_bitmaps without --skip-broken-bitmaps: an inconsistent bitmap stops convert before it
     * copies (error_report, after "qemu-img: "; a hint to use --skip-broken-bitmaps or bitmap --remove follows).
     */
    public static String cannotCopyInconsistent(String name) {
        return "Cannot copy inconsistent bitmap '" + name + "'";
    }

    /** The guard of qemu-img convert's rename: a QEMU that has the image open would keep the old file. */
    public static final String CONVERT_WHILE_OPEN = "bitmig: qemu-img convert's copy is renamed over the image only while no QEMU has it open";

    /** block/qcow2-bitmap.c qcow2_store_persistent_dirty_bitmaps: something to store on a read-only node. */
    public static final String NO_WRITE_ACCESS = "No write access";
    public static final String WRITE_LOCK = "Failed to get \"write\" lock";
    public static final String SHARED_WRITE_LOCK = "Failed to get shared \"write\" lock";
    public static final String WRITE_NOT_PERMITTED = "write failed: Operation not permitted";
    /** HMP qemu-io on a node that is inactive or opened read-only (seen on QEMU 7.2). */
    public static final String NODE_READ_ONLY = "Block node is read-only";
    public static final String PAUSED_BY_MIGRATION = "Can't migrate the vm that was paused due to previous migration";
    public static final String WRITE_OUT_OF_RANGE = "write failed: Input/output error";
    public static final String MIGRATION_IN_PROGRESS = "There's a migration process in progress";
    /** monitor/qmp-cmds.c qmp_cont: the source is in finish-migrate from handover until its migration ends. */
    public static final String MIGRATION_NOT_FINALIZED = "Migration is not finalized yet";
    public static final String NO_MIGRATION = "bitmig: no migration is in progress";
    public static final String NOT_HANDED_OVER = "bitmig: the source has not inactivated yet";
    public static final String ALREADY_HANDED_OVER = "bitmig: the source has already inactivated";
    public static final String CONNECTION_REFUSED = "Failed to connect socket: Connection refused";
    public static final String SETUP_FAILED = "Failed to initialize dirty tracking bitmap for blocks";
    public static final String GUEST_INCOMING = "Guest is waiting for an incoming migration";
    /** QMP's CommandNotFound on QEMU 7.2: blockdev-set-active is new in 10.0 (qapi/block-core.json). */
    public static final String NO_SET_ACTIVE = "The command blockdev-set-active has not been found";
    /**
     * QEMU 10.0 block.c bdrv_inactivate (blockdev-set-active active=false): "Failed to inactivate node" with the
     * driver's errno; block/qcow2.c qcow2_inactivate returns -EINVAL when the bitmaps' store failed, and prints the
     * store's own error ("Lost persistent bitmaps ...") on stderr only.
     */
    public static final String INACTIVATE_FAILED = "Failed to inactivate node: Invalid argument";

    /** QEMU 10.0 block/io.c bdrv_co_write_req_prepare: a write reaches an inactive node and QEMU aborts. */
    public static final String INACTIVE_WRITE_ABORT = "bdrv_co_write_req_prepare: Assertion `!(bs->open_flags & BDRV_O_INACTIVE)' failed.";
    public static final String NODE_INACTIVE = "bitmig: the node is inactive";
    public static final String INCOMING_NODE = "bitmig: the node belongs to an incoming migration";

    public static String destinationClash(String name) {
        return "Bitmap with the same name ('" + name + "') already exists on destination";
    }

    public static String existsInImage(String name) {
        return "Bitmap '" + name + "' already exists in the image";
    }

    /** errno ENOSPC as strerror words it: every write to a full volume fails so. */
    public static final String NO_SPACE = "No space left on device";

    /**
     * block/qcow2-bitmap.c store_bitmap (store_bitmap_data, then the bitmap table): the first bitmap whose clusters
     * cannot be written names the failed store (QEMU stores the newest bitmap first; the model names them in order).
     */
    public static String cannotWriteBitmap(String name) {
        return "Failed to write bitmap '" + name + "' to file: " + NO_SPACE;
    }

    /** block/qcow2-bitmap.c qcow2_load_dirty_bitmaps: marking the loaded entries IN_USE in place is a write. */
    public static final String DIRECTORY_NO_SPACE = "Can't update bitmap directory: " + NO_SPACE;

    /** block/qcow2.c qcow2_do_open: dropping the entries of an image whose autoclear bit 0 is clear rewrites the header. */
    public static final String HEADER_NO_SPACE = "Could not update qcow2 header: " + NO_SPACE;

    /** block/qcow2-bitmap.c qcow2_co_remove_persistent_dirty_bitmap: the directory rewrite without the entry. */
    public static final String REMOVE_NO_SPACE = "Failed to update bitmap extension: " + NO_SPACE;

    /** qemu-io-cmds.c do_pwrite: a guest write to a full volume (block/io.c still marks the bitmaps dirty). */
    public static final String WRITE_NO_SPACE = "write failed: " + NO_SPACE;

    /** QEMU 10.0 block.c bdrv_inactivate: qcow2_inactivate's cache flush fails last, so its -ENOSPC is the answer. */
    public static final String INACTIVATE_NO_SPACE = "Failed to inactivate node: " + NO_SPACE;

    /**
     * migration/migration.c migration_completion: vm_stop_force_state's bdrv_flush_all fails on the caches that hold a
     * refused update, and the migration fails before any inactivation (QEMU 10.0 says "Error in migration completion").
     */
    public static final String FLUSH_NO_SPACE = "Failed to flush the refcount block cache: " + NO_SPACE;

    /** What the model leaves out: qemu-io's and qemu-img's own opens and closes of an image on a full volume. */
    public static final String TOOL_ON_FULL_VOLUME = "bitmig: an offline tool on a full volume is not modelled";

    /** What the model leaves out: a block job's copy-before-write or active mirroring of a write that fails. */
    public static final String JOB_WRITE_ON_FULL_VOLUME = "bitmig: a failing guest write under a block job is not modelled";

    public static String lostOnInactivation(String why) {
        return "Lost persistent bitmaps during inactivation of node 'drive0': " + why;
    }

    /** qemu-io-cmds.c do_pwrite on a node without a driver (block/io.c: -ENOMEDIUM). */
    public static final String NO_MEDIUM_WRITE = "write failed: No medium found";
    /** block/dirty-bitmap.c bdrv_create_dirty_bitmap: bdrv_getlength fails on a node without a driver. */
    public static final String NO_MEDIUM_LENGTH = "could not get length of device: No medium found";
    /** block/dirty-bitmap.c bdrv_can_store_new_dirty_bitmap on a node without a driver. */
    public static final String NO_MEDIUM_STORE = "Can't store persistent bitmaps to drive0: No medium found";
    /** block.c bdrv_inactivate (blockdev-set-active active=false) on a node without a driver. */
    public static final String NO_MEDIUM_INACTIVATE = "Failed to inactivate node: No medium found";
    /**
     * migration/migration.c migration_completion: the source's inactivation fails on a node without a driver and
     * the migration fails (QEMU 10.0.2 reports it so; the errno text is what bdrv_inactivate_all returned).
     */
    public static final String COMPLETION_FAILED = "Error in migration completion: Bad address";

    public static String couldNotReopen(String why) {
        return "Could not reopen qcow2 layer: " + why;
    }

    /** blockdev.c blockdev_mirror_common: QERR_INVALID_PARAMETER_VALUE for a granularity that is not a power of 2. */
    public static final String MIRROR_GRANULARITY_POWER = "Parameter 'granularity' expects a power of 2";
    /** blockdev.c blockdev_mirror_common: the granularity must lie in [512 B, 64 MiB]. */
    public static final String MIRROR_GRANULARITY_RANGE = "Parameter 'granularity' expects a value in range [512B, 64MB]";

    /** block.c bdrv_op_is_blocked: a node that a block job holds cannot start another one. */
    public static final String NODE_BUSY_WITH_JOB = "Node 'drive0' is busy: block device is in use by block job: mirror";

    /** blockdev.c find_block_job: block-job-cancel of a job that does not exist. */
    public static String jobNotFound(String id) {
        return "Block job '" + id + "' not found";
    }

    /**
     * block/backup.c backup_job_create: bdrv_op_is_blocked(target, BLOCK_OP_TYPE_BACKUP_TARGET). Every backup job of a
     * QEMU writes to the one target node backup-target, so a second job finds it in use (QEMU itself would run two
     * backups of one node to two targets).
     */
    public static final String BACKUP_TARGET_BUSY = "Node 'backup-target' is busy: block device is in use by block job: backup";

    /**
     * blockdev.c bds_tree_init: a node that blockdev-add opens while the VM is incoming is inactive, so the backup
     * target cannot be written and block.c bdrv_insert_node cannot put the copy-before-write filter over it (seen on
     * QEMU 7.2.22 after a cont had activated the incoming VM's disk).
     */
    public static final String BACKUP_TARGET_INACTIVE = "Could not create node: Block node is read-only";

    /** blockdev.c qmp_get_root_bs (drive-mirror, blockdev-mirror): a filter sits above the node. */
    public static final String NEED_ROOT_NODE = "Need a root block node";

    /** blockdev.c do_backup_common: sync=incremental takes only bitmap-mode on-success. */
    public static String bitmapModeMustBeOnSuccess(String sync) {
        return "Bitmap sync mode must be 'on-success' when using sync mode '" + sync + "'";
    }

    /** blockdev.c do_backup_common: bdrv_find_dirty_bitmap found no bitmap of that name. */
    public static String backupBitmapNotFound(String name) {
        return "Bitmap '" + name + "' could not be found";
    }

    /**
     * A backup job that would still run at a handover, and migrating or inactivating a node while a backup job runs on
     * it, are outside the model: on QEMU 7.2 the busy sync
     * bitmap reaches bdrv_release_dirty_bitmap in qcow2_store_persistent_dirty_bitmaps (block/qcow2-bitmap.c), whose
     * assertion that the bitmap is not busy aborts the process.
     */
    public static final String BACKUP_DURING_MIGRATION = "bitmig: a backup job during a migration is not modelled";

    public static final String BACKUP_JOB_RUNNING = "bitmig: inactivation with a backup job is not modelled";
}
