package dev.bitmig.check;

/** The seven checks the lockstep run makes after every step. */
public enum Check {
    /** (1) the model and the implementation give the same outcome (and the same rejection text). */
    OUTCOME,
    /** (2) abstraction(impl) equals the model world (ghost erased). */
    ABSTRACTION,
    /** (3) no usable bitmap of the implementation under-reports the model's ghost truth. */
    NO_UNDER_REPORT,
    /** (4) never two writers on one image. */
    SINGLE_WRITER,
    /** (5) no persistent bitmap disappears without a visible cause. */
    NO_SILENT_LOSS,
    /** (6) the image store saw no write from a node that was inactive. */
    INACTIVE_WRITE,
    /** (7) a bitmap the model loses to a failed store was reported as QEMU reports it ("Lost persistent bitmaps"). */
    LOSS_REPORTED;

    /** The invariant title for the three safety properties, or the check's own name. */
    public String title() {
        return switch (this) {
            case NO_UNDER_REPORT -> "NoUnderReport";
            case SINGLE_WRITER -> "SingleWriter";
            case NO_SILENT_LOSS -> "NoSilentLoss";
            case OUTCOME -> "Outcome";
            case ABSTRACTION -> "Abstraction";
            case INACTIVE_WRITE -> "InactiveWrite";
            case LOSS_REPORTED -> "LossReported";
        };
    }

    /** Whether a failure means the implementation disagrees with the model (rather than the policy being unsafe). */
    public boolean isRefinement() {
        return this == OUTCOME || this == ABSTRACTION || this == INACTIVE_WRITE || this == LOSS_REPORTED;
    }
}
