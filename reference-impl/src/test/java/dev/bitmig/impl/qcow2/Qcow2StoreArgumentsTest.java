package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link Qcow2Image#storeBitmaps} refuses before it writes anything, and the limits it checks. */
class Qcow2StoreArgumentsTest {

    static final long GIB = 1L << 30;

    static Qcow2Bitmap empty(String name, int granularityBits) {
        return new Qcow2Bitmap(name, granularityBits, true, new BitSet());
    }

    static void refusedBeforeAnyWrite(List<Qcow2Bitmap> bitmaps, Class<? extends Throwable> type, String message)
            throws IOException {
        LoggingWriteLayer layer = new LoggingWriteLayer(CraftedImage.withBitmaps(GIB, 16));
        Qcow2Image img = Qcow2Image.open(layer);
        assertThatThrownBy(() -> img.storeBitmaps(bitmaps, Set.of())).isInstanceOf(type).hasMessage(message);
        assertThat(layer.log()).isEmpty();
    }

    @Test
    void aNameMustHave1To1023Bytes() throws IOException {
        refusedBeforeAnyWrite(List.of(empty("", 16)), IllegalArgumentException.class,
                "bitmap name of 0 bytes out of range 1..1023");
        refusedBeforeAnyWrite(List.of(empty("é".repeat(512), 16)), IllegalArgumentException.class,
                "bitmap name of 1024 bytes out of range 1..1023");
    }

    @Test
    void granularityBitsMustLieIn9To31() throws IOException {
        refusedBeforeAnyWrite(List.of(empty("a", 8)), IllegalArgumentException.class,
                "granularity_bits 8 out of range 9..31");
        refusedBeforeAnyWrite(List.of(empty("a", 32)), IllegalArgumentException.class,
                "granularity_bits 32 out of range 9..31");
    }

    @Test
    void bitsBeyondTheEndOfTheDiskAreRefused() throws IOException {
        BitSet beyond = new BitSet();
        beyond.set(262144); // 1 GiB at 4 KiB granularity has granules 0..262143
        refusedBeforeAnyWrite(List.of(new Qcow2Bitmap("a", 12, true, beyond)), IllegalArgumentException.class,
                "bitmap 'a' has bits beyond the disk end (262144 granules)");
    }

    @Test
    void aNameGivenTwiceIsRefused() throws IOException {
        refusedBeforeAnyWrite(List.of(empty("a", 16), empty("a", 12)), IllegalArgumentException.class,
                "bitmap 'a' given twice");
    }

    @Test
    void storingNothingWritesNothing() throws IOException {
        LoggingWriteLayer layer = new LoggingWriteLayer(CraftedImage.withBitmaps(GIB, 16, empty("a", 16)));
        try (Qcow2Image img = Qcow2Image.open(layer)) {
            img.storeBitmaps(List.of(), Set.of());
            assertThat(img.bitmaps()).extracting(BitmapDirectoryEntry::name).containsExactly("a");
        }
        assertThat(layer.log()).containsExactly("close");
    }

    @Test
    void aBitmapOfExactly2To30GranulesPassesTheSizeLimit() throws IOException {
        // 512 GiB at 512-byte granularity; the name check that follows the size check refuses it
        try (Qcow2Image img = CraftedImage.open(CraftedImage.withBitmaps(1L << 39, 16, empty("a", 16)))) {
            assertThatThrownBy(() -> img.storeBitmaps(List.of(empty("a", 9)), Set.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessage("Bitmap 'a' already exists in the image");
        }
        try (Qcow2Image img = CraftedImage.open(CraftedImage.withBitmaps((1L << 39) + 512, 16, empty("a", 16)))) {
            assertThatThrownBy(() -> img.storeBitmaps(List.of(empty("a", 9)), Set.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("bitmap 'a' too large");
        }
    }

    static List<Qcow2Bitmap> many(int n) {
        List<Qcow2Bitmap> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(empty("b" + i, 16));
        }
        return l;
    }

    /** A 1 MiB disk with 512-byte clusters, bitmap "a", and no free cluster the refcount table covers. */
    static Qcow2Image fullImageWithA() throws IOException {
        return CraftedImage.open(CraftedImage.withFullRefcountTable(CraftedImage.withBitmaps(1 << 20, 9,
                empty("a", 16))));
    }

    @Test
    void moreThan65535BitmapsAreRefused() throws IOException {
        // block/qcow2.h: QCOW2_MAX_BITMAPS
        try (Qcow2Image img = fullImageWithA()) {
            assertThatThrownBy(() -> img.storeBitmaps(many(65535), Set.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("too many bitmaps: 65536 > 65535");
        }
    }

    @Test
    void exactly65535BitmapsPassTheCountAndReachTheAllocator() throws IOException {
        try (Qcow2Image img = fullImageWithA()) {
            assertThatThrownBy(() -> img.storeBitmaps(many(65534), Set.of()))
                    .isInstanceOf(IOException.class).hasMessage("refcount table full: growing it is not supported");
        }
    }

    @Test
    void aReplacedBitmapDoesNotCountAsANewOne() throws IOException {
        List<Qcow2Bitmap> bitmaps = many(65534);
        bitmaps.add(empty("a", 16));
        try (Qcow2Image img = fullImageWithA()) {
            assertThatThrownBy(() -> img.storeBitmaps(bitmaps, Set.of("a")))
                    .isInstanceOf(IOException.class).hasMessage("refcount table full: growing it is not supported");
        }
    }
}
