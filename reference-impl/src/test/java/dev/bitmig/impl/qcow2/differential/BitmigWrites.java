package dev.bitmig.impl.qcow2.differential;

import dev.bitmig.impl.hbitmap.HBitmap;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Direction two: bitmig writes, QEMU reads. After bitmig played a random history: qemu-img check finds the image
 * clean, qemu-img info lists the entries bitmig reads, QEMU loads the bits bitmig meant to write (its SHA-256 and
 * count against bitmig's HBitmap), and qemu-img merges up to {@value #MERGES} consistent bitmaps into fresh ones
 * with the same bits, after which the image is still clean.
 */
final class BitmigWrites implements Direction<BitmigHistory, BitmigStep> {
    static final int MERGES = 2;
    private final QemuReader reader;
    private final QemuImg img;
    private final boolean unicodeArgs;

    BitmigWrites(QemuInstall qemu, SharedQemu shared, boolean unicodeArgs) {
        this.reader = new QemuReader(shared);
        this.img = new QemuImg(qemu);
        this.unicodeArgs = unicodeArgs;
    }

    @Override
    public String name() {
        return "bitmig-writes";
    }

    @Override
    public BitmigHistory generate(long seed) {
        return BitmigHistoryGenerator.generate(seed);
    }

    @Override
    public long seed(BitmigHistory history) {
        return history.seed();
    }

    @Override
    public List<BitmigStep> steps(BitmigHistory history) {
        return history.steps();
    }

    @Override
    public BitmigHistory withSteps(BitmigHistory history, List<BitmigStep> steps) {
        return new BitmigHistory(history.seed(), history.writer(), steps);
    }

    @Override
    public List<BitmigStep> simpler(BitmigStep step) {
        List<BitmigStep> out = new ArrayList<>();
        if (step instanceof BitmigStep.Store s && s.entries().size() > 1) {
            for (int i = 0; i < s.entries().size(); i++) {
                List<BitmigStep.Entry> fewer = new ArrayList<>(s.entries());
                fewer.remove(i);
                out.add(new BitmigStep.Store(fewer));
            }
        }
        return out;
    }

    @Override
    public Path image(Path dir) {
        return dir.resolve("image.qcow2");
    }

    @Override
    public Trial play(BitmigHistory history, Path dir) throws Exception {
        Path image = image(dir);
        BitmigHistoryWriter.Written w = BitmigHistoryWriter.write(history, image);
        StringBuilder report = new StringBuilder("  writer " + history.writer() + "\n");
        for (int i = 0; i < w.log().size(); i++) {
            report.append("  ").append(history.steps().get(i)).append("\n    -> ").append(w.log().get(i)).append('\n');
        }
        List<Disagreement> found = new ArrayList<>();
        if (!w.log().get(0).equals("ok")) {
            return new Trial(found, 0, 0, 0, 0, 1, report.toString());
        }
        ImageView bitmig = BitmigReader.read(image);
        ImageView qemu = reader.read(image);
        Views.differences(qemu, bitmig).forEach(d -> found.add(new Disagreement(Disagreement.Kind.READERS, d)));
        if (w.expected().isPresent()) {
            ImageView meant = meant(w.expected().get(), history);
            Views.differences(qemu, meant).forEach(d -> found.add(new Disagreement(Disagreement.Kind.READERS,
                    "against what bitmig wrote: " + d)));
        }
        check(image, "after bitmig wrote", found, report);
        SortedMap<String, String> info = img.infoBitmaps(image);
        SortedMap<String, String> listed = new TreeMap<>();
        bitmig.bitmaps().values().forEach(b -> listed.put(b.name(), b.granularity() + " " + new TreeSet<>(b.flags())));
        if (!info.equals(listed)) {
            found.add(new Disagreement(Disagreement.Kind.INFO, "qemu-img info lists " + info + ", bitmig " + listed));
        }
        if (bitmig.opens() && merges(image, bitmig, found, report) > 0) {
            check(image, "after qemu-img merged", found, report);
        }
        report.append("QEMU reads: ").append(Views.describe(qemu)).append("\nbitmig reads: ")
                .append(Views.describe(bitmig)).append('\n');
        return new Trial(found, 1, bitmig.bitmaps().size(),
                (int) bitmig.bitmaps().values().stream().filter(BitmapView::inconsistent).count(),
                (int) bitmig.bitmaps().values().stream().filter(b -> b.count() > 0).count(),
                (int) w.log().stream().filter(s -> !s.equals("ok")).count(), report.toString());
    }

    private void check(Path image, String when, List<Disagreement> found, StringBuilder report) {
        QemuImg.Check c = img.check(image);
        report.append("qemu-img check ").append(when).append(": exit ").append(c.exit()).append('\n');
        if (!c.clean()) {
            found.add(new Disagreement(Disagreement.Kind.CHECK, when + ": qemu-img check exit " + c.exit()
                    + ", corruptions " + c.corruptions() + ", leaks " + c.leaks() + ": " + c.output()));
        }
    }

    /** The view QEMU should have of what bitmig meant to write. */
    private static ImageView meant(SortedMap<String, BitmigHistoryWriter.Expected> expected, BitmigHistory h) {
        long size = ((BitmigStep.Create) h.steps().get(0)).size();
        SortedMap<String, BitmapView> out = new TreeMap<>();
        expected.forEach((name, x) -> {
            HBitmap hb = BitmigReader.hbitmap(size, x.granularityBits(), x.inUse() ? new BitSet() : x.bits());
            TreeSet<String> flags = new TreeSet<>();
            if (x.inUse()) {
                flags.add(BitmapView.IN_USE);
            }
            if (x.auto()) {
                flags.add(BitmapView.AUTO);
            }
            // an IN_USE entry loads inconsistent, and QEMU disables an inconsistent bitmap
            // (bdrv_dirty_bitmap_set_inconsistent)
            boolean recording = x.auto() && !x.inUse();
            out.put(name, new BitmapView(name, 1L << x.granularityBits(), flags, true, x.inUse(), recording,
                    hb.count(), hb.sha256Hex()));
        });
        return ImageView.of(out);
    }

    /** qemu-img bitmap --add --merge of consistent bitmaps into fresh ones; bitmig must read the same bits back. */
    private int merges(Path image, ImageView before, List<Disagreement> found, StringBuilder report) {
        List<String[]> done = new ArrayList<>();
        int tried = 0;
        for (BitmapView b : before.bitmaps().values()) {
            boolean encodable = unicodeArgs || StandardCharsets.US_ASCII.newEncoder().canEncode(b.name());
            if (b.inconsistent() || !encodable || tried == MERGES) {
                continue;
            }
            String fresh = "merged-" + tried++;
            while (before.bitmaps().containsKey(fresh)) {
                fresh += "+";
            }
            ToolRun.Result r = img.run("bitmap", "--add", "-g", Long.toString(b.granularity()), "--merge",
                    b.name(), image.toString(), fresh);
            report.append("qemu-img bitmap --add --merge '").append(Views.abbreviate(b.name())).append("' -> ")
                    .append(r.exit() == 0 ? "ok" : r.output().strip()).append('\n');
            if (r.exit() != 0) {
                found.add(new Disagreement(Disagreement.Kind.MERGE, "qemu-img refused to merge '"
                        + Views.abbreviate(b.name()) + "' into a fresh bitmap: " + r.output().strip()));
                continue;
            }
            done.add(new String[] {b.name(), fresh});
        }
        ImageView after = BitmigReader.read(image);
        for (String[] m : done) {
            BitmapView src = after.bitmaps().get(m[0]);
            BitmapView dst = after.bitmaps().get(m[1]);
            if (src == null || dst == null || !src.sha256().equals(dst.sha256()) || src.count() != dst.count()) {
                found.add(new Disagreement(Disagreement.Kind.MERGE, "'" + Views.abbreviate(m[0])
                        + "' merged by qemu-img into a fresh bitmap reads as " + Views.describe(dst)
                        + " in bitmig, the source as " + Views.describe(src)));
            }
        }
        return done.size();
    }
}
