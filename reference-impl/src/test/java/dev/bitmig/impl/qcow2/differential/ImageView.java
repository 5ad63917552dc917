package dev.bitmig.impl.qcow2.differential;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An image as one reader sees it: whether it opens at all (with the reason when it does not) and every bitmap by
 * name. Two readers agree when {@link #opens()} and {@link #bitmaps()} are equal; the refusal text is not compared.
 */
record ImageView(boolean opens, String refusal, SortedMap<String, BitmapView> bitmaps) {

    ImageView {
        bitmaps = Collections.unmodifiableSortedMap(new TreeMap<>(bitmaps));
    }

    static ImageView refused(String reason) {
        return new ImageView(false, reason, new TreeMap<>());
    }

    static ImageView of(SortedMap<String, BitmapView> bitmaps) {
        return new ImageView(true, "", bitmaps);
    }

    boolean agreesWith(ImageView other) {
        return opens == other.opens && bitmaps.equals(other.bitmaps);
    }
}
