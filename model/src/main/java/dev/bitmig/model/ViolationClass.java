package dev.bitmig.model;

import io.vavr.collection.List;

/**
 * One distinct way an invariant fails: a short, stable signature built from what explains the violation, in the words
 * of QEMU's block layer, with its explanation and what it means for an incremental-backup tool. Two violations of the
 * same class have the same explanation; the checker keeps the shortest counterexample of each class.
 *
 * @param invariant the invariant it breaks
 * @param parts     the signature's parts, each a {@link ClassPart}; the name joins their slugs with '/'
 */
public record ViolationClass(Invariant invariant, List<ClassPart> parts) implements Comparable<ViolationClass> {

    /** The stable name, e.g. {@code target-ram/persistent/aware-tool/this-inactive@handed-over/completed}. */
    public String name() {
        return parts.map(ClassPart::slug).mkString("/");
    }

    /** One paragraph: each part's explanation, with the QEMU source it comes from. */
    public String description() {
        return parts.map(ClassPart::sentence).filter(s -> !s.isEmpty()).mkString(" ");
    }

    /** One sentence: what the class means for a tool that takes incremental backups from the bitmap. */
    public String forBackupTools() {
        return ClassText.forBackupTools(this);
    }

    /** The description and the backup sentence, as reports print them. */
    public String explanation() {
        return description() + " " + forBackupTools();
    }

    @Override
    public int compareTo(ViolationClass o) {
        int c = invariant.compareTo(o.invariant);
        return c != 0 ? c : name().compareTo(o.name());
    }

    @Override
    public String toString() {
        return invariant.title() + " " + name();
    }
}
