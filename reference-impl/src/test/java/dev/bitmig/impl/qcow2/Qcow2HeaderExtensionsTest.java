package dev.bitmig.impl.qcow2;

import static dev.bitmig.impl.qcow2.CraftedImage.edited;
import static dev.bitmig.impl.qcow2.CraftedImage.openAndReadAll;
import static dev.bitmig.impl.qcow2.CraftedImage.rejecting;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The header extensions and the backing file name share the rest of the header cluster (qcow2.txt puts the name
 * after the extension area); like QEMU (block/qcow2.c, qcow2_read_extensions) the reader stops at the end marker,
 * where the backing file name starts, or at the end of the cluster. The image has one bitmap, so its extensions are
 * the bitmaps extension at 112 (32 bytes) and the end marker at 144.
 */
class Qcow2HeaderExtensionsTest {

    static final int CS = 1 << 16;
    static final int UNKNOWN = 0x12345678;
    static final byte[] NAME = "base.img".getBytes(StandardCharsets.US_ASCII);

    final byte[] oneBitmap;

    Qcow2HeaderExtensionsTest() throws Exception {
        oneBitmap = CraftedImage.withBitmaps(1L << 30, 16, new Qcow2Bitmap("a", 16, true, new BitSet()));
        ByteBuffer b = ByteBuffer.wrap(oneBitmap);
        assertThat(b.getInt(112)).isEqualTo(Qcow2Image.EXT_BITMAPS);
        assertThat(b.getLong(144)).isZero();
    }

    static ByteBuffer backing(ByteBuffer b, int offset, byte[] name) {
        return b.putLong(8, offset).putInt(16, name.length).put(offset, name);
    }

    @Test
    void theBackingFileNameEndsTheExtensionsEvenWithoutAnEndMarker() throws Exception {
        byte[] img = edited(oneBitmap, b -> backing(b, 144, NAME));
        assertThat(openAndReadAll(img)).containsExactly("a");
    }

    @Test
    void anEndMarkerFillingTheLast8BytesBeforeTheBackingFileNameIsRead() throws Exception {
        byte[] img = edited(oneBitmap, b -> backing(b, 152, NAME));
        assertThat(openAndReadAll(img)).containsExactly("a");
    }

    @Test
    void fourBytesBeforeTheBackingFileNameCannotHoldAnExtension() {
        byte[] img = edited(oneBitmap, b -> backing(b, 148, "base".getBytes(StandardCharsets.US_ASCII)));
        rejecting(img).hasMessage("header extension at offset 0x90: type and length need 8 bytes, 4 left in the header"
                + " cluster");
    }

    @Test
    void anExtensionMayEndExactlyWhereTheBackingFileNameStarts() throws Exception {
        byte[] fits = edited(oneBitmap, b -> backing(b.putInt(144, UNKNOWN).putInt(148, 16), 168, NAME));
        assertThat(openAndReadAll(fits)).containsExactly("a");
        byte[] tooLong = edited(oneBitmap, b -> backing(b.putInt(144, UNKNOWN).putInt(148, 17), 168, NAME));
        rejecting(tooLong).hasMessage("header extension 0x12345678 at offset 0x90: length 17 exceeds the header cluster"
                + " (16 bytes left)");
    }

    @Test
    void aSecondBitmapsExtensionIsRejected() {
        byte[] img = edited(oneBitmap, b -> b.put(144, oneBitmap, 112, 32));
        rejecting(img).hasMessage("bitmaps extension at offset 0x90: duplicate bitmaps extension");
    }

    @Test
    void aBackingFileNameOf1023BytesFitsAnd1024DoNot() throws Exception {
        // qcow2.txt: backing_file_size must not exceed 1023
        assertThat(openAndReadAll(edited(oneBitmap, b -> backing(b, 0x1000, new byte[1023])))).containsExactly("a");
        rejecting(edited(oneBitmap, b -> backing(b, 0x1000, new byte[1024])))
                .hasMessage("header at offset 0x10: backing_file_size 1024 out of range 0..1023 or beyond the header"
                        + " cluster");
        rejecting(edited(oneBitmap, b -> b.putLong(8, 0x1000).putInt(16, -1)))
                .hasMessage("header at offset 0x10: backing_file_size 4294967295 out of range 0..1023 or beyond the"
                        + " header cluster");
    }

    @Test
    void aBackingFileNameMayEndExactlyAtTheEndOfTheHeaderCluster() throws Exception {
        assertThat(openAndReadAll(edited(oneBitmap, b -> backing(b, CS - 16, new byte[16])))).containsExactly("a");
        rejecting(edited(oneBitmap, b -> b.putLong(8, CS - 16).putInt(16, 17)))
                .hasMessage("header at offset 0x10: backing_file_size 17 out of range 0..1023 or beyond the header"
                        + " cluster");
    }

    @Test
    void aBackingFileSizeWithoutABackingFileOffsetIsIgnored() throws Exception {
        assertThat(openAndReadAll(edited(oneBitmap, b -> b.putInt(16, 5000)))).containsExactly("a");
    }

    /** Extension types from header_length to the end marker. */
    static List<Integer> extensionTypes(ByteBuffer b) {
        List<Integer> types = new ArrayList<>();
        int pos = b.getInt(100);
        while (true) {
            int type = b.getInt(pos);
            types.add(type);
            if (type == Qcow2Image.EXT_END) {
                return types;
            }
            pos += 8 + ((b.getInt(pos + 4) + 7) & ~7);
        }
    }

    @Test
    void updatesKeepUnknownExtensionsOnceAndTheBackingFileName() throws Exception {
        byte[] fresh = CraftedImage.withBitmaps(1L << 30, 16);
        byte[] edited = edited(fresh, b -> backing(b.putInt(112, UNKNOWN).putInt(116, 5)
                .put(120, "hello".getBytes(StandardCharsets.US_ASCII)), 0x1000, NAME));
        MemoryWriteLayer mem = new MemoryWriteLayer(edited);
        try (Qcow2Image img = Qcow2Image.open(mem)) {
            img.storeBitmaps(List.of(new Qcow2Bitmap("a", 16, true, new BitSet())), Set.of());
            img.updateFlagsInPlace(Map.of("a", BitmapDirectoryEntry.FLAG_IN_USE | BitmapDirectoryEntry.FLAG_AUTO));
        }
        ByteBuffer b = ByteBuffer.wrap(mem.toByteArray());
        assertThat(extensionTypes(b)).containsExactly(UNKNOWN, Qcow2Image.EXT_BITMAPS, Qcow2Image.EXT_END);
        assertThat(new String(mem.toByteArray(), 120, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
        // written back right after the end marker: 112 + 16 (unknown) + 32 (bitmaps) + 8 (end)
        assertThat(b.getLong(8)).isEqualTo(168);
        assertThat(b.getInt(16)).isEqualTo(NAME.length);
        assertThat(new String(mem.toByteArray(), 168, NAME.length, StandardCharsets.US_ASCII)).isEqualTo("base.img");
    }
}
