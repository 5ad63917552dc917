package dev.bitmig.live;

import dev.bitmig.model.Action;
import dev.bitmig.model.World;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The qemu-img steps of a generated sequence (qemu-img bitmap, qemu-img check -r all, qemu-img convert --bitmaps with
 * and without --skip-broken-bitmaps, the last only while no QEMU runs): mostly while no QEMU holds the
 * image, on its entries or on a name it lacks, and now and then while one does, where the lock refuses them. Every
 * one is mapped (see MAPPING.md): qemu-img is a process of its own and does not need the held target to answer.
 */
final class OfflineToolSteps {
    private OfflineToolSteps() {
    }

    record Step(double weight, Action action) {
    }

    private static final String[] NAMES = {"a", "b"};
    private static final int[] GRANULARITIES = {1, 2};

    static List<Step> add(World w, Random r) {
        List<Step> out = new ArrayList<>();
        boolean held = w.source().isActive() || w.target().isActive();
        double weight = held ? 0.1 : 1.2;
        String name = NAMES[r.nextInt(NAMES.length)];
        String other = name.equals("a") ? "b" : "a";
        if (!w.image().directory().containsKey(name)) {
            out.add(new Step(2 * weight, Action.ImgBitmap.add(name, GRANULARITIES[r.nextInt(GRANULARITIES.length)],
                    r.nextInt(4) == 0)));
        }
        out.add(new Step(weight, Action.ImgBitmap.of(Action.ImgOp.CLEAR, name)));
        out.add(new Step(weight, Action.ImgBitmap.of(r.nextBoolean() ? Action.ImgOp.ENABLE : Action.ImgOp.DISABLE, name)));
        out.add(new Step(0.6 * weight, Action.ImgBitmap.of(Action.ImgOp.REMOVE, name)));
        out.add(new Step(weight, Action.ImgBitmap.merge(name, other)));
        out.add(new Step(0.6 * weight, new Action.ImgCheck()));
        // qemu-img convert --bitmaps: only while no QEMU runs (the harness refuses it otherwise, as the model does).
        double convert = w.source().isOn() || w.target().isOn() ? 0.05 : 0.8;
        out.add(new Step(convert, new Action.ImgConvert(false)));
        out.add(new Step(convert, new Action.ImgConvert(true)));
        return out;
    }
}
