package dev.bitmig.live;

/** Which side of a migration a QEMU process plays; also names its files in the run directory. */
public enum Role {
    SOURCE, TARGET;

    String fileStem() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
