package dev.bitmig.qemu;

/** A file or address that each renderer names its own way (a relative name, an iotests path, a run directory). */
public enum Place {
    /** The shared qcow2 image both QEMUs open. */
    IMAGE("disk.qcow2"),
    /** qemu-img convert's copy of the image, beside it, until a rename puts it in the image's place. */
    CONVERTED("disk.qcow2.new"),
    /** The migration stream's socket, as a URI ({@code unix:...}). */
    MIGRATION_URI("unix:mig.sock"),
    /** The target image of an incremental backup (drive-backup). */
    BACKUP_TARGET("inc.qcow2"),
    /** The target image of the mirror job (drive-mirror). */
    MIRROR_TARGET("mirror.qcow2");

    private final String file;

    Place(String file) {
        this.file = file;
    }

    /** The plain relative name the reproducer script uses. */
    public String file() {
        return file;
    }
}
