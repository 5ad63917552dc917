package dev.bitmig.qemu;

import dev.bitmig.model.NodeId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.bitmig.qemu.Flavour.LIVE;
import static dev.bitmig.qemu.Flavour.SCRIPT;

/**
 * The migration parts of the table (qapi/migration.json, migration/migration.c). The live runner composes them with
 * its own waits, because which part comes next depends on where QEMU's migration stands.
 */
public final class MigrationOps {
    /** The state migration/migration.c holds a source in while {@code pause-before-switchover} is on. */
    public static final String PRE_SWITCHOVER = "pre-switchover";

    private MigrationOps() {
    }

    /**
     * migrate-set-capabilities for one side. Disagreement: the script sets {@code pause-before-switchover} in the
     * source's one call; the live runner adds {@code events} and {@code return-path} on both sides (the return path
     * lets the source wait after inactivating).
     */
    public static Op.Qmp capabilities(NodeId side, boolean bitmaps, Flavour f) {
        List<Map<String, Object>> caps = new ArrayList<>();
        caps.add(cap("dirty-bitmaps", bitmaps));
        if (f == LIVE) {
            caps.add(cap("events", true));
            caps.add(cap("return-path", true));
        }
        if (side == NodeId.SOURCE) {
            caps.add(cap("pause-before-switchover", true));
        }
        return Op.qmp(side, "migrate-set-capabilities", "capabilities", caps);
    }

    private static Map<String, Object> cap(String name, boolean state) {
        return Op.args("capability", name, "state", state);
    }

    /** migrate to the incoming target's socket. */
    public static Op.Qmp migrate() {
        return Op.qmp(NodeId.SOURCE, "migrate", "uri", Place.MIGRATION_URI);
    }

    /** migrate-continue: the paused source leaves pre-switchover, sends the rest and inactivates its nodes. */
    public static Op.Qmp proceed() {
        return Op.qmp(NodeId.SOURCE, "migrate-continue", "state", PRE_SWITCHOVER);
    }

    /** migrate_cancel. Disagreement: the script sends it as the HMP line, the live runner as QMP. */
    public static Op cancel(Flavour f) {
        return f == SCRIPT ? new Op.Hmp(NodeId.SOURCE, "migrate_cancel") : new Op.Qmp(NodeId.SOURCE, "migrate_cancel", Map.of());
    }

    /** The live runner's handover: hold the target (SIGSTOP) so that the source can inactivate, then proceed. */
    public static List<Op> handover() {
        return List.of(new Op.Signal(NodeId.TARGET, "STOP"), proceed());
    }

    /** The live runner's completion after a handover: release the held target. */
    public static Op release() {
        return new Op.Signal(NodeId.TARGET, "CONT");
    }

    /** The live runner's broken stream: SIGKILL of the target. */
    public static Op killTarget() {
        return new Op.Kill(NodeId.TARGET, false, "");
    }

    /** MigrateStart(capability). */
    static List<Op> start(boolean bitmaps, Flavour f) {
        return switch (f) {
            case SCRIPT -> List.of(capabilities(NodeId.SOURCE, bitmaps, f), capabilities(NodeId.TARGET, bitmaps, f), migrate(),
                    new Op.Note("wait for the pre-switchover state: the migration stays in setup/active until it is completed"));
            // The target's call only if it runs; then the live runner waits until the target lists the bitmaps.
            case LIVE -> List.of(capabilities(NodeId.TARGET, bitmaps, f), capabilities(NodeId.SOURCE, bitmaps, f), migrate(),
                    new Op.Await(NodeId.SOURCE, PRE_SWITCHOVER));
        };
    }

    /** MigrateComplete. The live runner releases the held target instead when the handover has happened. */
    static List<Op> complete(Flavour f) {
        return switch (f) {
            case SCRIPT -> List.of(proceed(), new Op.Note("wait for the completed event on both sides"));
            case LIVE -> List.of(proceed(), new Op.Await(NodeId.SOURCE, "completed"), new Op.Await(NodeId.TARGET, "completed"));
        };
    }

    /**
     * MigrateFail(when). Disagreement: the script kills the target whatever the point; the live runner cancels the
     * paused source after the kill before the handover, and hands over first (if not yet) after it.
     */
    static List<Op> fail(boolean beforeHandover, Flavour f) {
        return switch (f) {
            case SCRIPT -> List.of(new Op.Note("make the migration fail " + (beforeHandover ? "before the source inactivates"
                    : "in the final flush after the handover") + ": kill -9 the target, or break the stream"),
                    new Op.Kill(NodeId.TARGET, false, ""));
            case LIVE -> beforeHandover ? List.of(killTarget(), cancel(f), new Op.Await(NodeId.SOURCE, "cancelled"))
                    : List.of(killTarget(), new Op.Await(NodeId.SOURCE, "failed"));
        };
    }
}
