/**
 * The one table from model actions to QEMU operations ({@link dev.bitmig.qemu.QemuTable}), as data: QMP commands with
 * structured arguments, HMP qemu-io lines, tool runs on the image, process launches, signals and waits. The reproducer
 * script, the Python reproducer, the qemu-iotests test and the live runner render or execute it; none of them spells a command itself.
 */
package dev.bitmig.qemu;
