/** The bitmig model: an immutable, total specification of QEMU dirty bitmaps across live migration. */
package dev.bitmig.model;
