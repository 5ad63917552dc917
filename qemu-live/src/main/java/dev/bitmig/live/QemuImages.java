package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Image-level tools working on a qcow2 file outside of any QEMU process: creation, inspection, and the two kinds of
 * foreign writers (a bitmap-aware one and an unaware one).
 */
public final class QemuImages {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    private QemuImages() {
    }

    /** Creates a qcow2 (v3) image of the given virtual size with {@code qemu-img create}. */
    public static void create(Path image, long sizeBytes) {
        Tools.Result r = Tools.run(List.of("qemu-img", "create", "-f", "qcow2", image.toString(),
                Long.toString(sizeBytes)), TOOL_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("qemu-img create failed: " + r.output());
        }
    }

    /**
     * Bitmap-aware foreign writer: standalone {@code qemu-io -f qcow2 -c "write OFF LEN" image}. It opens the image
     * read-write, so it loads the persistent bitmaps, records the write into the enabled ones and stores them again at
     * exit. Fails (lock error) while a QEMU process holds the image's write lock.
     *
     * @return the tool's output
     * @throws QemuIoException on a non-zero exit code or a reported failure
     */
    public static String qemuIoWrite(Path image, long offset, long length) {
        return qemuIo(image, "write " + offset + " " + length);
    }

    /** Runs one qemu-io command against the image (read-write), surfacing failures. */
    public static String qemuIo(Path image, String command) {
        Tools.Result r = Tools.run(List.of("qemu-io", "-f", "qcow2", "-c", command, image.toString()), TOOL_TIMEOUT);
        if (r.exitCode() != 0 || QemuProcess.qemuIoFailed(r.output())) {
            throw new QemuIoException("qemu-io '" + command + "' exited " + r.exitCode(), r.output());
        }
        return r.output();
    }

    /** Byte offset of the autoclear_features field in a qcow2 v3 header. */
    public static final int AUTOCLEAR_OFFSET = 88;

    /**
     * Unaware foreign writer: clears autoclear feature bit 0 (the "bitmaps extension is consistent" bit) in the
     * qcow2 header, as a tool that does not know about bitmaps does when it opens the image for writing. Nothing
     * else is written. The next QEMU that opens the image must treat all stored bitmaps as stale.
     */
    public static void clearAutoclearBit0(Path image) {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            requireV3(f);
            f.seek(AUTOCLEAR_OFFSET);
            long v = f.readLong();
            f.seek(AUTOCLEAR_OFFSET);
            f.writeLong(v & ~1L);
            f.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The autoclear_features field (bytes 88..95, big-endian) of a qcow2 v3 header. */
    public static long autoclearFeatures(Path image) {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            requireV3(f);
            f.seek(AUTOCLEAR_OFFSET);
            return f.readLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireV3(RandomAccessFile f) throws IOException {
        f.seek(0);
        int magic = f.readInt();
        int version = f.readInt();
        if (magic != 0x514649fb || version < 3) {
            throw new IOException("not a qcow2 v3 image (magic " + Integer.toHexString(magic) + ", version "
                    + version + ")");
        }
    }

    /** {@code qemu-img info -U --output=json}: safe while a QEMU process holds the image. */
    public static JsonNode info(Path image) {
        Tools.Result r = Tools.run(List.of("qemu-img", "info", "-U", "--output=json", image.toString()),
                TOOL_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("qemu-img info failed: " + r.output());
        }
        try {
            // qemu-img may print warnings (e.g. about a cleared autoclear bit) before the JSON document.
            String out = r.output();
            int brace = out.indexOf('{');
            return QmpClient.json().readTree(brace > 0 ? out.substring(brace) : out);
        } catch (IOException e) {
            throw new IllegalStateException("qemu-img info printed no JSON: " + r.output(), e);
        }
    }

    /** The bitmap directory as reported by {@code qemu-img info} (empty when the image has none). */
    public static List<ImageBitmap> bitmaps(Path image) {
        List<ImageBitmap> out = new ArrayList<>();
        for (JsonNode b : info(image).path("format-specific").path("data").path("bitmaps")) {
            List<String> flags = new ArrayList<>();
            b.path("flags").forEach(x -> flags.add(x.asText()));
            out.add(new ImageBitmap(b.path("name").asText(), b.path("granularity").asLong(), flags));
        }
        return out;
    }
}
