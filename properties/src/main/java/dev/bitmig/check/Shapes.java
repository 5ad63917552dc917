package dev.bitmig.check;

import dev.bitmig.model.Action;
import dev.bitmig.model.BlockState;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.World;
import io.vavr.collection.List;

/** The scenario shapes the thread cares about, recognised in a run of the model. */
public enum Shapes {
    HANDOVER_FOREIGN_WRITE_ACTIVATE("handover → foreign write → activate"),
    COMPLETE_TARGET_WRITE_CONT_SOURCE("migrate → target write → cont on the source"),
    FAIL_OR_CANCEL_BEFORE_HANDOVER("fail or cancel before handover"),
    FAIL_OR_CANCEL_AFTER_HANDOVER("fail or cancel after handover"),
    CRASH("crash"),
    UNAWARE_WRITER("bitmap-unaware writer"),
    BACKUP("backup");

    private final String title;

    Shapes(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    /** An event of one accepted step, from the worlds before and after it. */
    public enum Event { HANDOVER, FOREIGN, TARGET_WRITE, SOURCE_ACTIVATED, CONT_SOURCE, COMPLETE, END_BEFORE, END_AFTER, CRASH, UNAWARE, BACKUP }

    public static List<Event> events(World before, Action a, Outcome o) {
        if (o.successor().isEmpty()) {
            return List.empty();
        }
        World after = o.successor().get();
        List<Event> e = List.empty();
        if (!before.migration().handedOver() && after.migration().handedOver()) {
            e = e.append(Event.HANDOVER);
        }
        if (a instanceof Action.ForeignWrite f) {
            e = e.append(f.writer() == Action.Writer.AWARE ? Event.FOREIGN : Event.UNAWARE);
            if (f.writer() == Action.Writer.UNAWARE) {
                e = e.append(Event.FOREIGN);
            }
        }
        if (a instanceof Action.GuestWrite g && g.node() == NodeId.TARGET) {
            e = e.append(Event.TARGET_WRITE);
        }
        if (before.source().isOn() && before.source().block() == BlockState.INACTIVE && after.source().isActive()) {
            e = e.append(Event.SOURCE_ACTIVATED);
        }
        if (a instanceof Action.Cont c && c.node() == NodeId.SOURCE) {
            e = e.append(Event.CONT_SOURCE);
        }
        if (a instanceof Action.MigrateComplete) {
            e = e.append(Event.COMPLETE);
        }
        if ((a instanceof Action.MigrateFail || a instanceof Action.MigrateCancel) && before.migration().isActive()) {
            e = e.append(after.migration().handedOver() ? Event.END_AFTER : Event.END_BEFORE);
        }
        if (a instanceof Action.Crash) {
            e = e.append(Event.CRASH);
        }
        if (a instanceof Action.Backup) {
            e = e.append(Event.BACKUP);
        }
        return e;
    }

    /** The shapes that a run's events contain, each as a subsequence. */
    public static List<Shapes> found(List<Event> events) {
        List<Shapes> out = List.empty();
        if (subsequence(events, Event.HANDOVER, Event.FOREIGN, Event.SOURCE_ACTIVATED)) {
            out = out.append(HANDOVER_FOREIGN_WRITE_ACTIVATE);
        }
        if (subsequence(events, Event.COMPLETE, Event.TARGET_WRITE, Event.CONT_SOURCE)) {
            out = out.append(COMPLETE_TARGET_WRITE_CONT_SOURCE);
        }
        if (events.contains(Event.END_BEFORE)) {
            out = out.append(FAIL_OR_CANCEL_BEFORE_HANDOVER);
        }
        if (events.contains(Event.END_AFTER)) {
            out = out.append(FAIL_OR_CANCEL_AFTER_HANDOVER);
        }
        if (events.contains(Event.CRASH)) {
            out = out.append(CRASH);
        }
        if (events.contains(Event.UNAWARE)) {
            out = out.append(UNAWARE_WRITER);
        }
        if (events.contains(Event.BACKUP)) {
            out = out.append(BACKUP);
        }
        return out;
    }

    private static boolean subsequence(List<Event> events, Event... pattern) {
        int at = 0;
        for (Event e : events) {
            if (at < pattern.length && e == pattern[at]) {
                at++;
            }
        }
        return at == pattern.length;
    }
}
