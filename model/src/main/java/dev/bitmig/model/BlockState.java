package dev.bitmig.model;

/**
 * Whether this QEMU owns the image (block.c: BDRV_O_INACTIVE clear) or only has it open. EJECTED: a reactivation
 * failed in the driver (block/qcow2.c qcow2_co_invalidate_cache sets bs->drv = NULL): the node has no medium,
 * query-named-block-nodes says "Block device drive0 is ejected" and every I/O fails with "No medium found". Its
 * bitmaps stay in RAM (clear and remove still work) and it holds no lock; nothing brings the medium back.
 */
public enum BlockState {
    ACTIVE, INACTIVE, EJECTED
}
