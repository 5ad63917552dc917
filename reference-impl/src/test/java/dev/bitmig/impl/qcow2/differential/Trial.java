package dev.bitmig.impl.qcow2.differential;

import java.util.List;

/**
 * The outcome of one history: what disagreed, what was compared (the image, if its creation succeeded, and its
 * bitmaps), and a readable report (step outcomes and both readers' views) for the saved failure.
 */
record Trial(List<Disagreement> disagreements, int images, int bitmaps, int inconsistent, int nonEmpty,
        int refusedSteps, String report) {

    Trial {
        disagreements = List.copyOf(disagreements);
    }
}
