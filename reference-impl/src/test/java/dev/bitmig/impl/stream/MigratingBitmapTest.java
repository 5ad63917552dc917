package dev.bitmig.impl.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bitmig.impl.hbitmap.HBitmap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a bitmap must be to be sent: names of 1 to 255 bytes (a one-byte length in the stream), matching sizes. */
class MigratingBitmapTest {
    private static final HBitmap BITS = HBitmap.create(1L << 20, 16);

    @Test
    void namesOfExactly255BytesAreAcceptedAnd256AreNot() {
        String longest = "n".repeat(StreamFormat.MAX_NAME_BYTES);
        assertThat(MigratingBitmap.of(longest, longest, true, false, BITS).id()).isEqualTo(new BitmapId(longest, longest));
        assertThatThrownBy(() -> MigratingBitmap.of(longest + "n", "b", true, false, BITS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node name");
        assertThatThrownBy(() -> MigratingBitmap.of("drive0", longest + "n", true, false, BITS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bitmap name");
    }

    @Test
    void anEmptyBitmapNameIsRefused() {
        assertThatThrownBy(() -> MigratingBitmap.of("drive0", "", true, false, BITS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bitmap name");
    }

    @Test
    void aBitmapOfAnEmptyDiskCanBeSent() {
        MigratingBitmap empty = MigratingBitmap.of("drive0", "b", false, false, HBitmap.create(0, 16));
        assertThat(empty.diskSizeBytes()).isZero();
    }

    @Test
    void aBitmapThatDoesNotCoverTheDiskIsRefused() {
        assertThatThrownBy(() -> new MigratingBitmap("drive0", "b", 65536, true, false, BITS, 1L << 21))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("covers");
        assertThatThrownBy(() -> new MigratingBitmap("drive0", "b", 65536, true, false, BITS, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("covers");
    }

    @Test
    void anEncoderTakesAnyEmptyFaultSetAndListsItsBitmaps() {
        MigratingBitmap b = MigratingBitmap.of("drive0", "b", true, true, BITS);
        StreamEncoder encoder = new StreamEncoder(List.of(b), Set.of());
        assertThat(encoder.bitmaps()).containsExactly(b);
        assertThat(encoder.setupSection()).isEqualTo(new StreamEncoder(List.of(b)).setupSection());
    }
}
