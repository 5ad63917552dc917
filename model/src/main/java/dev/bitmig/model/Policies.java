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
    public static final Policy QEMU_UPSTREAM = new QemuUpstreamPolicy();

    /** Every policy, in report order. A new policy is registered here, with one line. */
    public static final List<Policy> ALL = List.of(
            QEMU_2_12,
            REPERSIST_ON_INVALIDATE,
            DROP_ON_INACTIVATE,
            CANARY_DROP,
            CANARY_MERGE,
            new CanaryDirtyAddsPolicy(DEFAULT_CANARY_GRANULARITY),
            QEMU_UPSTREAM);

    public static List<String> names() {
        return ALL.map(Policy::name);
    }
}
