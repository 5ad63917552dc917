package dev.bitmig.model;

/**
 * The QEMU release whose block-activation rules a policy runs on. The dirty-bitmap code changed little between them;
 * what changed in 10.0 is when block nodes are active, and who may make them so.
 */
public enum Release {
    /**
     * QEMU 7.2 (Debian bookworm), and QEMU 2.12 before it in these respects: no {@code blockdev-set-active}; an
     * incoming VM activates its nodes when the migration completes, whether or not it will run (migration/migration.c
     * process_incoming_migration_bh, with the late-block-activate capability off by default); HMP qemu-io refuses to
     * write to an inactive node ("Block node is read-only").
     */
    QEMU_7_2("7.2"),
    /**
     * QEMU 10.0: {@code blockdev-set-active} (blockdev.c qmp_blockdev_set_active) inactivates and activates a node
     * at any time, a running VM's included (block/block-backend.c blk_can_inactivate); an incoming VM activates only
     * when it runs, else at its own {@code cont} ("migration/block: Make late-block-active the default",
     * process_incoming_migration_bh); a write to an inactive node aborts QEMU (block/io.c bdrv_co_write_req_prepare
     * asserts that the node is active).
     */
    QEMU_10_0("10.0");

    private final String version;

    Release(String version) {
        this.version = version;
    }

    /** The version, as QEMU prints it ("7.2", "10.0"). */
    public String version() {
        return version;
    }

    /** qapi/block-core.json blockdev-set-active: since 10.0. */
    public boolean hasBlockdevSetActive() {
        return this == QEMU_10_0;
    }

    /** process_incoming_migration_bh: 10.0 activates an incoming VM's nodes only when the VM is about to run. */
    public boolean activatesOnlyToRun() {
        return this == QEMU_10_0;
    }

    /**
     * monitor/qmp-cmds.c qmp_cont: 7.2 calls bdrv_activate_all before it checks for an incoming VM, so cont activates
     * an incoming VM's nodes (and takes the image lock) before any migration arrives; 10.0 only sets autostart there.
     */
    public boolean contActivatesIncoming() {
        return this == QEMU_7_2;
    }

    /**
     * migration/migration.c migration_iteration_finish after a failed or cancelled migration: 7.2 restarts a VM that
     * was running whatever the reactivation gave, and leaves one that was not in postmigrate; 10.0 restarts only after
     * a reactivation that worked (migration_block_activate) and restores the old run state (vm_old_state).
     */
    public boolean postmigrateAfterFailure() {
        return this == QEMU_7_2;
    }

    /** block/io.c bdrv_co_write_req_prepare: 10.0 asserts instead of refusing the write. */
    public boolean abortsOnInactiveWrite() {
        return this == QEMU_10_0;
    }

    /** The release of a QEMU that prints this version ("7.2.22", "10.0.2"): 10.0 and later, or before. */
    public static Release ofVersion(String version) {
        String major = version.trim().split("\\.")[0];
        try {
            return Integer.parseInt(major) >= 10 ? QEMU_10_0 : QEMU_7_2;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a QEMU version: '" + version + "'");
        }
    }
}
