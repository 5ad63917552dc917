package dev.bitmig.live;

import dev.bitmig.model.Action;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.QemuErrors;
import dev.bitmig.qemu.Op;

/** The live runner's qemu-img steps (ImgBitmap, ImgCheck, ImgConvert): the table's tools, their errors as the model words them. */
final class LiveOfflineTools {
    private LiveOfflineTools() {
    }

    /** A standalone qemu-img run; on a full volume refused for it (LiveVolume.refuseTool). */
    static Outcome qemuImg(LiveSystem sys, Action a) {
        Outcome full = a instanceof Action.ImgConvert ? null : sys.volume().refuseTool(sys);
        if (full != null) return full;
        for (Op op : LiveSystem.ops(a)) {
            Tools.Result r = sys.run(op);
            if (r.exitCode() != 0) {
                return Outcome.rejected(imgError(r.output()));
            }
        }
        return Outcome.next(null);
    }

    /** "qemu-img: " then the message, on the first line that is not a warning (one may end without a newline). */
    private static final java.util.regex.Pattern IMG_ERROR = java.util.regex.Pattern.compile("qemu-img: (?!warning: )([^\n]*)");

    /**
     * qemu-img's error as the model words it: the lock's text alone (img_open prints "Could not open 'FILE': Failed
     * to get "write" lock"), else the first message that is not a warning, e.g. "Operation clear on bitmap a failed:
     * Bitmap 'a' is inconsistent and cannot be used" (qemu-img.c img_bitmap) or "Cannot copy inconsistent bitmap 'a'"
     * (img_convert, whose hint on the next line has no prefix).
     */
    static String imgError(String out) {
        if (out.contains("Failed to get \"write\" lock")) return QemuErrors.WRITE_LOCK;
        java.util.regex.Matcher m = IMG_ERROR.matcher(out);
        return m.find() ? m.group(1).strip() : out.strip().lines().findFirst().orElse("");
    }
}
