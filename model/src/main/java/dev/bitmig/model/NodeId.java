package dev.bitmig.model;

/** The two QEMU processes of a migration. Each runs one block node ({@code drive0}) on the shared image. */
public enum NodeId {
    SOURCE, TARGET;

    public NodeId other() {
        return this == SOURCE ? TARGET : SOURCE;
    }

    private final String lower = name().toLowerCase(java.util.Locale.ROOT);

    public String lower() {
        return lower;
    }
}
