package dev.bitmig.report;

import dev.bitmig.model.Capabilities;
import picocli.CommandLine.Option;

/**
 * The capabilities a run turns on, the same three options for check, explore and live: backup jobs, offline qemu-img
 * edits and store failures (dev.bitmig.model.Capabilities). Off by default, so that the default runs stay comparable.
 */
final class CapabilityOptions {
    @Option(names = "--backup-jobs", description = "also run backup jobs that hold a bitmap (blockdev-backup"
            + " sync=incremental|bitmap with bitmap-mode): start, copy, fail, cancel (off by default)")
    boolean backupJobs;
    @Option(names = "--offline-tools", description = "also edit the image offline with qemu-img: bitmap --add,"
            + " --remove, --clear, --enable, --disable, --merge, check -r all, and convert --bitmaps"
            + " [--skip-broken-bitmaps] with its copy renamed over the image (off by default)")
    boolean offlineTools;
    @Option(names = "--store-failures", description = "also let the volume under the image run out of space and be"
            + " freed again: every write fails with ENOSPC meanwhile, bitmap stores included; on real QEMU every QEMU"
            + " opens the image through a blkdebug node that does so (off by default)")
    boolean storeFailures;

    Capabilities capabilities() {
        return new Capabilities(backupJobs, offlineTools, storeFailures);
    }

    /** The option of the first capability turned on, or null: they run on the JVM engine only. */
    String firstOn() {
        return backupJobs ? "--backup-jobs" : offlineTools ? "--offline-tools" : storeFailures ? "--store-failures" : null;
    }
}
