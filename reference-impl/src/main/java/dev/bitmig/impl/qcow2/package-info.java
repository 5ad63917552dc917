/**
 * A file-backed store of QEMU persistent dirty bitmaps in qcow2 version 3 images.
 *
 * <p>{@link dev.bitmig.impl.qcow2.Qcow2Image} reads and writes the header, header extensions, refcount structures and
 * the bitmaps extension (directory, bitmap tables, bitmap data clusters); it never stores guest data. Its update
 * primitives follow QEMU's protocols: the whole-directory rewrite (new clusters, flush, one header write, then free)
 * and the in-place flag update (clear autoclear bit 0, rewrite, sync, set bit 0).
 * {@link dev.bitmig.impl.qcow2.Qcow2BitmapSession} opens an image read-write the way QEMU does.
 *
 * <p>Inside, the code follows QEMU's files: the header and its extensions ({@code Qcow2Header},
 * {@code HeaderExtension}, {@code FreshImage}) after block/qcow2.c; refcounts and allocation ({@code Refcounts},
 * {@code ClusterOwners}) after block/qcow2-refcount.c; the bitmap directory, tables, data and update protocols
 * ({@code BitmapDirectory}, {@code DirectoryEntryReader}, {@code BitmapTable}, {@code BitmapData},
 * {@code DirectoryRewrite}, {@code InPlaceFlagUpdate}) after block/qcow2-bitmap.c. {@code ImageState} is one parse
 * of the device.
 *
 * <p>All I/O goes through a {@link dev.bitmig.impl.qcow2.WriteLayer}; {@link dev.bitmig.impl.qcow2.CrashingWriteLayer}
 * counts writes and can simulate a crash after any write.
 */
package dev.bitmig.impl.qcow2;
