package dev.bitmig.model;

/** Whether this QEMU owns the image (block.c: BDRV_O_INACTIVE clear) or only has it open. */
public enum BlockState {
    ACTIVE, INACTIVE
}
