package dev.bitmig.model;

import io.vavr.collection.List;

/** The policies bitmig checks, in the order the reports list them. */
public final class Policies {
    private Policies() {
    }

    /** Default canary granularity in clusters: coarse, so that the canary costs a handful of bits. */
    public static final int DEFAULT_CANARY_GRANULARITY = 4;

    public static final Policy QEMU_2_12 = new Qemu212Policy();
    public static final Policy REPERSIST_ON_INVALIDATE = new RepersistOnInvalidatePolicy();
    public static final Policy DROP_ON_INACTIVATE = new DropOnInactivatePolicy();
    public static final Policy CANARY_DROP = new CanaryPolicy(false, DEFAULT_CANARY_GRANULARITY);
    public static final Policy CANARY_MERGE = new CanaryPolicy(true, DEFAULT_CANARY_GRANULARITY);
    /** QEMU as Debian bookworm ships it. */
    public static final Policy QEMU_7_2 = new QemuUpstreamPolicy(Release.QEMU_7_2);
    /** QEMU 10.0: blockdev-set-active and late block activation. */
    public static final Policy QEMU_10_0 = new QemuUpstreamPolicy(Release.QEMU_10_0);

    /** Every policy, in report order. A new policy is registered here, with one line. */
    public static final List<Policy> ALL = List.of(
            QEMU_2_12,
            REPERSIST_ON_INVALIDATE,
            DROP_ON_INACTIVATE,
            CANARY_DROP,
            CANARY_MERGE,
            new CanaryDirtyAddsPolicy(DEFAULT_CANARY_GRANULARITY),
            QEMU_7_2,
            QEMU_10_0);

    /** QEMU itself, on the rules of this release. */
    public static Policy qemu(Release r) {
        return r == Release.QEMU_7_2 ? QEMU_7_2 : QEMU_10_0;
    }

    public static List<String> names() {
        return ALL.map(Policy::name);
    }
}
