package dev.bitmig.impl.qcow2.differential;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Direction one: QEMU writes, bitmig reads. Real QEMU tools play a random history; then QEMU (read-only, in the
 * shared process) and bitmig must read the same bitmaps, and {@code qemu-img check} must find the image clean.
 * Leaks alone are expected after a SIGKILL or after an unaware writer cleared autoclear bit 0 (QEMU then drops the
 * extension on the next read-write open and warns that clusters may be leaked); corruption never is.
 */
final class QemuWrites implements Direction<QemuHistory, QemuStep> {
    private final QemuHistoryRunner runner;
    private final QemuReader reader;
    private final QemuImg img;
    private final boolean unicodeArgs;

    QemuWrites(QemuInstall qemu, SharedQemu shared, boolean unicodeArgs) {
        this.runner = new QemuHistoryRunner(qemu, shared);
        this.reader = new QemuReader(shared);
        this.img = new QemuImg(qemu);
        this.unicodeArgs = unicodeArgs;
    }

    QemuHistoryRunner runner() {
        return runner;
    }

    @Override
    public String name() {
        return "qemu-writes";
    }

    @Override
    public QemuHistory generate(long seed) {
        return QemuHistoryGenerator.generate(seed, unicodeArgs);
    }

    @Override
    public long seed(QemuHistory history) {
        return history.seed();
    }

    @Override
    public List<QemuStep> steps(QemuHistory history) {
        return history.steps();
    }

    @Override
    public QemuHistory withSteps(QemuHistory history, List<QemuStep> steps) {
        return new QemuHistory(history.seed(), steps);
    }

    @Override
    public List<QemuStep> simpler(QemuStep step) {
        List<QemuStep> out = new ArrayList<>();
        if (step instanceof QemuStep.Live live) {
            if (live.ending() != QemuStep.Ending.DETACH) {
                out.add(new QemuStep.Live(live.ops(), QemuStep.Ending.DETACH));
            }
            for (int i = 0; i < live.ops().size(); i++) {
                List<QemuStep.LiveOp> ops = new ArrayList<>(live.ops());
                ops.remove(i);
                out.add(new QemuStep.Live(ops, live.ending()));
            }
        } else if (step instanceof QemuStep.Io io && io.ops().size() > 1) {
            for (int i = 0; i < io.ops().size(); i++) {
                List<QemuStep.IoOp> ops = new ArrayList<>(io.ops());
                ops.remove(i);
                out.add(new QemuStep.Io(ops));
            }
        }
        return out;
    }

    @Override
    public Path image(Path dir) {
        return dir.resolve("image.qcow2");
    }

    @Override
    public Trial play(QemuHistory history, Path dir) throws Exception {
        Path image = image(dir);
        List<String> log = runner.run(history, image);
        ImageView qemu = reader.read(image);
        ImageView bitmig = BitmigReader.read(image);
        List<Disagreement> found = new ArrayList<>();
        Views.differences(qemu, bitmig).forEach(d -> found.add(new Disagreement(Disagreement.Kind.READERS, d)));
        QemuImg.Check check = img.check(image);
        boolean created = log.get(0).equals("ok");
        if (created && !check.clean() && !(check.leaksOnly() && leaksExpected(history))) {
            found.add(new Disagreement(Disagreement.Kind.CHECK, "qemu-img check exit " + check.exit()
                    + ", corruptions " + check.corruptions() + ", leaks " + check.leaks() + ", check errors "
                    + check.checkErrors()));
        }
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < history.steps().size(); i++) {
            report.append("  ").append(history.steps().get(i)).append("\n    -> ").append(log.get(i)).append('\n');
        }
        report.append("QEMU reads: ").append(Views.describe(qemu)).append("\nbitmig reads: ")
                .append(Views.describe(bitmig)).append("\nqemu-img check: ").append(check.output());
        int refused = (int) log.stream().filter(s -> !s.startsWith("ok") && !s.endsWith("DETACH")
                && !s.endsWith("QUIT") && !s.endsWith("KILL")).count();
        return new Trial(found, created ? 1 : 0, bitmig.bitmaps().size(),
                (int) bitmig.bitmaps().values().stream().filter(BitmapView::inconsistent).count(),
                (int) bitmig.bitmaps().values().stream().filter(b -> b.count() > 0).count(), refused,
                report.toString());
    }

    private static boolean leaksExpected(QemuHistory history) {
        return history.steps().stream().anyMatch(s -> s instanceof QemuStep.RawHeaderWrite
                || s instanceof QemuStep.Live l && l.ending() == QemuStep.Ending.KILL);
    }
}
