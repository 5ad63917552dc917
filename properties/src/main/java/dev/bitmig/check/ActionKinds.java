package dev.bitmig.check;

import dev.bitmig.model.Action;
import io.vavr.collection.List;

/** The kinds of action, by name (GuestWrite, ForeignWrite, ...), for the search's --only and --without. */
public final class ActionKinds {
    private ActionKinds() {
    }

    /** Every kind, in the order the model declares them. */
    public static final List<String> ALL = List.of(Action.class.getPermittedSubclasses()).map(Class::getSimpleName);

    /** The kinds left out when only {@code only} are tried. */
    public static List<String> complement(List<String> only) {
        return ALL.filter(k -> !only.contains(k));
    }

    /** The kinds of a comma-separated list, checked: an unknown kind names the valid ones. */
    public static List<String> parse(String option, java.util.List<String> given) {
        List<String> kinds = List.ofAll(given).map(String::strip).filter(k -> !k.isEmpty());
        for (String k : kinds) {
            if (!ALL.contains(k)) {
                throw new IllegalArgumentException(option + ": unknown action kind \"" + k + "\"; kinds: "
                        + ALL.mkString(", "));
            }
        }
        return kinds;
    }
}
