package dev.bitmig.live;

import dev.bitmig.model.Action;
import dev.bitmig.model.BackupJob;
import dev.bitmig.model.Bitmap;
import dev.bitmig.model.Node;
import dev.bitmig.model.NodeId;
import dev.bitmig.model.World;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The backup-job steps of a generated sequence, each one the live runner can map (see MAPPING.md): a job starts on a
 * bitmap with at most two clusters to copy (QEMU copies the first at once, and the last only when its speed limit is
 * lifted), then copies, is cancelled, or meets writes, bitmap commands, a migration or a quit. A target that fails a
 * write cannot be caused on QEMU 7.2, so BackupFail is never generated.
 */
final class BackupJobSteps {
    private BackupJobSteps() {
    }

    record Step(double weight, Action action) {
    }

    /** The sync and bitmap-mode pairs, with how often each is tried; incremental with always is refused. */
    private static final Object[][] MODES = {
            {Action.Sync.INCREMENTAL, Action.BitmapMode.ON_SUCCESS, 4},
            {Action.Sync.BITMAP, Action.BitmapMode.ALWAYS, 3},
            {Action.Sync.BITMAP, Action.BitmapMode.NEVER, 2},
            {Action.Sync.BITMAP, Action.BitmapMode.ON_SUCCESS, 1},
            {Action.Sync.INCREMENTAL, Action.BitmapMode.ALWAYS, 0.5}};

    static List<Step> add(World w, NodeId n, Random r) {
        List<Step> out = new ArrayList<>();
        Node node = w.node(n);
        if (!node.isActive()) {
            return out;
        }
        if (node.backup().isDefined()) {
            BackupJob job = node.backup().get();
            if (job.toCopy().size() <= 1) {
                out.add(new Step(3, new Action.BackupCopy(n)));
            }
            out.add(new Step(1.5, new Action.BackupCancel(n)));
        }
        for (var e : node.bitmaps()) {
            Bitmap b = e._2;
            int clusters = Math.min(b.granules().size() * b.granularity(), w.image().lastWrite().size());
            if (clusters <= 2 && !b.busy() && !b.inconsistent()) {
                Object[] m = mode(r);
                double weight = node.backup().isDefined() ? 0.2 : 2.5;
                out.add(new Step(weight, new Action.BackupStart(n, e._1, (Action.Sync) m[0], (Action.BitmapMode) m[1])));
            }
        }
        return out;
    }

    private static Object[] mode(Random r) {
        double total = 0;
        for (Object[] m : MODES) {
            total += ((Number) m[2]).doubleValue();
        }
        double x = r.nextDouble() * total;
        for (Object[] m : MODES) {
            x -= ((Number) m[2]).doubleValue();
            if (x <= 0) {
                return m;
            }
        }
        return MODES[0];
    }

    /** After a BackupStart the model accepted with something to copy: the copy QEMU made on its own. */
    static Action.BackupCopy firstCopy(Action a, World after) {
        if (a instanceof Action.BackupStart s && after.node(s.node()).backup().exists(j -> !j.toCopy().isEmpty())) {
            return new Action.BackupCopy(s.node());
        }
        return null;
    }
}
