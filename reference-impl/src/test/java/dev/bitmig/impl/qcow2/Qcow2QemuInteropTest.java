package dev.bitmig.impl.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with QEMU's own tools. Skipped only when {@code qemu-img} is not on the PATH; the QMP cross-check
 * additionally needs {@code qemu-system-x86_64} and is left out without it.
 */
@Tag("qemu")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class Qcow2QemuInteropTest {

    static final long MiB = 1L << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsQemuImg() {
        assumeTrue(onPath("qemu-img"), "qemu-img is not on the PATH");
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    record Result(int exit, String out) {
    }

    static Result exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        return new Result(p.exitValue(), out);
    }

    static String run(String... cmd) throws Exception {
        Result r = exec(List.of(cmd));
        assertThat(r.exit()).as("exit status of %s; output:%n%s", List.of(cmd), r.out()).isZero();
        return r.out();
    }

    /** A bitmap as {@code qemu-img info --output=json} lists it. */
    record InfoBitmap(String name, long granularity, Set<String> flags) {
    }

    private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*\\}");
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern GRANULARITY = Pattern.compile("\"granularity\"\\s*:\\s*(\\d+)");
    private static final Pattern FLAGS = Pattern.compile("\"flags\"\\s*:\\s*\\[([^\\]]*)\\]");
    private static final Pattern STRING = Pattern.compile("\"([^\"]*)\"");

    /** QEMU's view of the bitmaps, read with force-share so that it also works while an image is open. */
    static Map<String, InfoBitmap> qemuInfoBitmaps(Path image) throws Exception {
        String json = run("qemu-img", "info", "-U", "-f", "qcow2", "--output=json", image.toString());
        Map<String, InfoBitmap> out = new TreeMap<>();
        int at = json.indexOf("\"bitmaps\"");
        if (at < 0) {
            return out;
        }
        int start = json.indexOf('[', at);
        int end = start;
        int depth = 0;
        boolean inString = false;
        do {
            char c = json.charAt(end++);
            if (c == '"' && json.charAt(end - 2) != '\\') {
                inString = !inString;
            } else if (!inString && (c == '[' || c == '{')) {
                depth++;
            } else if (!inString && (c == ']' || c == '}')) {
                depth--;
            }
        } while (depth > 0);
        String section = json.substring(start, end);
        Matcher m = OBJECT.matcher(section);
        while (m.find()) {
            String obj = m.group();
            Matcher n = NAME.matcher(obj);
            Matcher g = GRANULARITY.matcher(obj);
            Matcher f = FLAGS.matcher(obj);
            assertThat(n.find() && g.find() && f.find()).as("bitmap object %s", obj).isTrue();
            Set<String> flags = new java.util.TreeSet<>();
            Matcher s = STRING.matcher(f.group(1));
            while (s.find()) {
                flags.add(s.group(1));
            }
            out.put(n.group(1), new InfoBitmap(n.group(1), Long.parseLong(g.group(1)), flags));
        }
        return out;
    }

    static Map<String, InfoBitmap> bitmigView(Path image) throws IOException {
        Map<String, InfoBitmap> out = new TreeMap<>();
        try (Qcow2Image img = Qcow2Image.open(image)) {
            for (BitmapDirectoryEntry e : img.bitmaps()) {
                Set<String> flags = new java.util.TreeSet<>();
                if (e.inUse()) {
                    flags.add("in-use");
                }
                if (e.auto()) {
                    flags.add("auto");
                }
                out.put(e.name(), new InfoBitmap(e.name(), e.granularity(), flags));
            }
        }
        return out;
    }

    static void assertQemuCheckClean(Path image) throws Exception {
        Result r = exec(List.of("qemu-img", "check", "-f", "qcow2", image.toString()));
        assertThat(r.exit()).as("qemu-img check exit status (0 = clean); output:%n%s", r.out()).isZero();
        assertThat(r.out()).contains("No errors were found on the image.").doesNotContain("leaked");
    }

    static BitSet granules(long diskSize, int granularityBits, long[][] writes) {
        BitSet b = new BitSet();
        for (long[] w : writes) {
            long end = Math.min(diskSize, w[0] + w[1]);
            b.set(Math.toIntExact(w[0] >>> granularityBits),
                    Math.toIntExact((end + (1L << granularityBits) - 1) >>> granularityBits));
        }
        return b;
    }

    // ------------------------------------------------------------------------------------------------ (1)

    @Test
    void an_image_bitmig_wrote_is_clean_for_qemu_img_check_and_lists_the_same_bitmaps() throws Exception {
        Path p = dir.resolve("bitmig.qcow2");
        long disk = 1024 * MiB + 4096; // a tail granule
        BitSet dense = new BitSet();
        dense.set(0, 524288); // first data cluster of the 512-byte bitmap: all ones
        dense.set(600000);    // second: mixed
        dense.set(Math.toIntExact(Qcow2Bitmap.granules(disk, 9) - 1)); // the tail granule
        try (Qcow2Image img = Qcow2Image.create(p, disk)) {
            img.storeBitmaps(List.of(
                    new Qcow2Bitmap("enabled-512", 9, true, dense),
                    new Qcow2Bitmap("disabled-64k", 16, false, granules(disk, 16, new long[][] {{0, 1}})),
                    new Qcow2Bitmap("empty-1m", 20, true, new BitSet()),
                    new Qcow2Bitmap("stale", 16, true, new BitSet())), Set.of());
            img.updateFlagsInPlace(Map.of("stale", BitmapDirectoryEntry.FLAG_IN_USE | BitmapDirectoryEntry.FLAG_AUTO));
        }
        assertQemuCheckClean(p);
        Map<String, InfoBitmap> qemu = qemuInfoBitmaps(p);
        assertThat(qemu).isEqualTo(bitmigView(p));
        assertThat(qemu.get("enabled-512")).isEqualTo(new InfoBitmap("enabled-512", 512, Set.of("auto")));
        assertThat(qemu.get("disabled-64k").flags()).isEmpty();
        assertThat(qemu.get("stale").flags()).containsExactlyInAnyOrder("in-use", "auto");

        try (Qcow2Image img = Qcow2Image.openReadWrite(p)) {
            img.removeBitmap("disabled-64k");
        }
        assertQemuCheckClean(p);
        assertThat(qemuInfoBitmaps(p).keySet()).containsExactly("empty-1m", "enabled-512", "stale");

        if (onPath("qemu-system-x86_64")) {
            try (Qmp qmp = Qmp.start(dir, p, true)) {
                assertThat(qmp.sha256("enabled-512")).isEqualTo(hbitmapSha256(dense, disk, 9));
                assertThat(qmp.sha256("empty-1m")).isEqualTo(hbitmapSha256(new BitSet(), disk, 20));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ (2)

    @Test
    void bitmig_loads_exactly_the_dirty_set_qemu_recorded() throws Exception {
        Path p = dir.resolve("qemu.qcow2");
        String img = p.toString();
        long disk = 64 * MiB;
        run("qemu-img", "create", "-q", "-f", "qcow2", img, Long.toString(disk));
        run("qemu-img", "bitmap", "--add", "-g", "65536", img, "b64k");
        run("qemu-img", "bitmap", "--add", "-g", "4096", img, "b4k");
        run("qemu-img", "bitmap", "--add", "-g", "131072", img, "late");
        run("qemu-img", "bitmap", "--disable", img, "late");
        run("qemu-img", "bitmap", "--add", "-g", "512", img, "cleared");

        long[] w1 = {0, 4096};
        long[] w2 = {MiB, 70 * 1024};
        qemuIo(img, w1, w2);                         // b64k, b4k, cleared
        run("qemu-img", "bitmap", "--enable", img, "late");
        long[] w3 = {10 * MiB + 512, 1024};
        qemuIo(img, w3);                             // b64k, b4k, late, cleared
        run("qemu-img", "bitmap", "--disable", img, "b4k");
        long[] w4 = {20 * MiB, 512};
        long[] w5 = {disk - 512, 512};
        qemuIo(img, w4, w5);                         // b64k, late, cleared
        run("qemu-img", "bitmap", "--add", "-g", "65536", "--disable", img, "merged");
        run("qemu-img", "bitmap", "--merge", "b4k", img, "merged");
        run("qemu-img", "bitmap", "--clear", img, "cleared");
        long[] w6 = {30 * MiB, 3000};
        qemuIo(img, w6);                             // b64k, late, cleared

        Map<String, BitSet> expected = new LinkedHashMap<>();
        expected.put("b64k", granules(disk, 16, new long[][] {w1, w2, w3, w4, w5, w6}));
        expected.put("b4k", granules(disk, 12, new long[][] {w1, w2, w3}));
        expected.put("late", granules(disk, 17, new long[][] {w3, w4, w5, w6}));
        expected.put("cleared", granules(disk, 9, new long[][] {w6}));
        expected.put("merged", granules(disk, 16, new long[][] {w1, w2, w3}));
        Map<String, Boolean> enabled = Map.of("b64k", true, "b4k", false, "late", true, "cleared", true,
                "merged", false);

        Map<String, InfoBitmap> qemu = qemuInfoBitmaps(p);
        assertThat(qemu.keySet()).isEqualTo(expected.keySet());
        for (InfoBitmap b : qemu.values()) {
            assertThat(b.flags()).as(b.name()).isEqualTo(enabled.get(b.name()) ? Set.of("auto") : Set.of());
        }
        assertThat(bitmigView(p)).isEqualTo(qemu);

        try (Qcow2Image image = Qcow2Image.open(p)) {
            for (Map.Entry<String, BitSet> e : expected.entrySet()) {
                Qcow2Bitmap b = image.readBitmap(e.getKey());
                assertThat(b.bits()).as(e.getKey()).isEqualTo(e.getValue());
                assertThat(b.granularity()).isEqualTo(qemu.get(e.getKey()).granularity());
                assertThat(b.enabled()).isEqualTo(enabled.get(e.getKey()));
            }
        }
        if (onPath("qemu-system-x86_64")) {
            try (Qmp qmp = Qmp.start(dir, p, true)) {
                for (Map.Entry<String, BitSet> e : expected.entrySet()) {
                    int g = Long.numberOfTrailingZeros(qemu.get(e.getKey()).granularity());
                    assertThat(qmp.sha256(e.getKey())).as("QEMU's sha256 of %s", e.getKey())
                            .isEqualTo(hbitmapSha256(e.getValue(), disk, g));
                }
            }
        }

        // a bitmig session over QEMU's image (which holds guest data) stores everything back cleanly
        List<String> warnings = new ArrayList<>();
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(p, warnings::add)) {
            assertThat(qemuInfoBitmaps(p).values()).allSatisfy(b -> assertThat(b.flags()).contains("in-use"));
            for (LoadedBitmap b : s.bitmaps()) {
                assertThat(b.inconsistent()).isFalse();
                assertThat(b.bits()).as(b.name()).isEqualTo(expected.get(b.name()));
            }
            s.markWrite(40 * MiB, 1);
        }
        assertThat(warnings).isEmpty();
        assertQemuCheckClean(p);
        assertThat(qemuInfoBitmaps(p)).isEqualTo(qemu);
        qemuIo(img, new long[] {50 * MiB, 4096});
        assertQemuCheckClean(p);
        try (Qcow2Image image = Qcow2Image.open(p)) {
            BitSet b64k = granules(disk, 16, new long[][] {w1, w2, w3, w4, w5, w6, {40 * MiB, 1}, {50 * MiB, 4096}});
            assertThat(image.readBitmap("b64k").bits()).isEqualTo(b64k);
            assertThat(image.readBitmap("b4k").bits()).isEqualTo(expected.get("b4k"));
        }
    }

    static void qemuIo(String image, long[]... writes) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (long[] w : writes) {
            cmd.add("-c");
            cmd.add("write -P 0x5a " + w[0] + " " + w[1]);
        }
        cmd.add(image);
        run(cmd.toArray(String[]::new));
    }

    /** The digest QEMU's x-debug-block-dirty-bitmap-sha256 reports: SHA-256 of the last HBitmap level. */
    static String hbitmapSha256(BitSet bits, long diskSize, int granularityBits) throws Exception {
        long nbits = Qcow2Bitmap.granules(diskSize, granularityBits);
        int words = (int) Math.max(1, (nbits + 63) / 64);
        ByteBuffer b = ByteBuffer.allocate(words * 8).order(ByteOrder.LITTLE_ENDIAN);
        long[] w = bits.toLongArray();
        for (int i = 0; i < words; i++) {
            b.putLong(i < w.length ? w[i] : 0);
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    }

    // ------------------------------------------------------------------------------------------------ (3)

    @Test
    void bitmaps_of_a_qemu_killed_while_open_read_write_load_as_inconsistent() throws Exception {
        Path p = dir.resolve("killed.qcow2");
        String img = p.toString();
        run("qemu-img", "create", "-q", "-f", "qcow2", img, Long.toString(16 * MiB));
        run("qemu-img", "bitmap", "--add", "-g", "65536", img, "k0");
        run("qemu-img", "bitmap", "--add", "-g", "65536", img, "k1");
        qemuIo(img, new long[] {0, 4096});
        assertThat(qemuInfoBitmaps(p).get("k0").flags()).containsExactly("auto");

        Process qemu = new ProcessBuilder("qemu-io", "-f", "qcow2", img).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            // while qemu-io performs the in-place update, autoclear bit 0 is briefly clear and no bitmap is listed
            while (!allInUse(qemuInfoBitmaps(p), 2)) {
                assertThat(qemu.isAlive()).as("qemu-io still running").isTrue();
                assertThat(Instant.now()).as("qemu-io marked the bitmaps in-use in time").isBefore(deadline);
                Thread.sleep(50);
            }
        } finally {
            qemu.destroyForcibly(); // SIGKILL: no clean close
            qemu.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(qemuInfoBitmaps(p).values()).allSatisfy(b -> assertThat(b.flags()).contains("in-use"));

        List<String> warnings = new ArrayList<>();
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(p, warnings::add)) {
            assertThat(s.bitmaps()).extracting(LoadedBitmap::name).containsExactly("k0", "k1");
            assertThat(s.bitmaps()).allSatisfy(b -> {
                assertThat(b.inconsistent()).isTrue();
                assertThat(b.data()).isEmpty();
            });
        }
        assertThat(warnings).isEmpty();
        assertThat(qemuInfoBitmaps(p).values()).allSatisfy(b -> assertThat(b.flags()).contains("in-use"));
        assertQemuCheckClean(p);
    }

    static boolean allInUse(Map<String, InfoBitmap> bitmaps, int count) {
        return bitmaps.size() == count && bitmaps.values().stream().allMatch(b -> b.flags().contains("in-use"));
    }

    // ------------------------------------------------------------------------------------------------ (4)

    @Test
    void when_autoclear_bit_0_was_cleared_bitmig_drops_all_bitmaps_with_a_warning_as_qemu_does() throws Exception {
        Path p = dir.resolve("unaware.qcow2");
        String img = p.toString();
        run("qemu-img", "create", "-q", "-f", "qcow2", img, Long.toString(16 * MiB));
        run("qemu-img", "bitmap", "--add", "-g", "65536", img, "u0");
        qemuIo(img, new long[] {0, 65536});
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(95); // last byte of autoclear_features (big-endian)
            int v = f.read();
            f.seek(95);
            f.write(v & ~1);
        }
        assertThat(qemuInfoBitmaps(p)).as("QEMU ignores the extension as well").isEmpty();
        assertThat(bitmigView(p)).isEmpty();

        List<String> warnings = new ArrayList<>();
        try (Qcow2BitmapSession s = Qcow2BitmapSession.openReadWrite(p, warnings::add)) {
            assertThat(s.bitmaps()).isEmpty();
        }
        assertThat(warnings).contains("a program lacking bitmap support modified this file, so all bitmaps are"
                + " now considered inconsistent");
        try (Qcow2Image image = Qcow2Image.open(p)) {
            assertThat(image.hasBitmapsExtension()).isFalse();
        }
        assertThat(qemuInfoBitmaps(p)).isEmpty();
        Result check = exec(List.of("qemu-img", "check", "-f", "qcow2", img));
        assertThat(check.exit()).as("leaks only, as in QEMU: %s", check.out()).isEqualTo(3);
        assertThat(check.out()).contains("leaked clusters").doesNotContain("ERROR");
    }

    // ------------------------------------------------------------------------------------------------ QMP

    /** A qemu-system process with the image attached as node "n0", driven over QMP. */
    static final class Qmp implements AutoCloseable {
        private final Process process;
        private final SocketChannel channel;
        private final BufferedReader in;
        private final OutputStream out;

        private Qmp(Process process, SocketChannel channel) {
            this.process = process;
            this.channel = channel;
            this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            this.out = Channels.newOutputStream(channel);
        }

        static Qmp start(Path dir, Path image, boolean readOnly) throws Exception {
            Path sock = dir.resolve("qmp.sock");
            Files.deleteIfExists(sock);
            Process p = new ProcessBuilder("qemu-system-x86_64", "-M", "none", "-nodefaults", "-display", "none",
                    "-qmp", "unix:" + sock + ",server=on,wait=off",
                    "-blockdev", "driver=qcow2,node-name=n0,read-only=" + (readOnly ? "on" : "off")
                            + ",file.driver=file,file.filename=" + image)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (true) {
                assertThat(p.isAlive()).as("qemu-system-x86_64 running").isTrue();
                if (Files.exists(sock)) {
                    try {
                        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                        ch.connect(UnixDomainSocketAddress.of(sock));
                        Qmp q = new Qmp(p, ch);
                        assertThat(q.in.readLine()).contains("QMP");
                        q.execute("{\"execute\":\"qmp_capabilities\"}");
                        return q;
                    } catch (IOException e) {
                        // not listening yet
                    }
                }
                assertThat(Instant.now()).as("QMP socket appears").isBefore(deadline);
                Thread.sleep(50);
            }
        }

        String execute(String command) throws IOException {
            out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String line = in.readLine();
                assertThat(line).as("QMP reply to %s", command).isNotNull();
                if (line.contains("\"return\"") || line.contains("\"error\"")) {
                    assertThat(line).as("QMP reply to %s", command).doesNotContain("\"error\"");
                    return line;
                }
            }
        }

        String sha256(String bitmap) throws IOException {
            String reply = execute("{\"execute\":\"x-debug-block-dirty-bitmap-sha256\",\"arguments\":"
                    + "{\"node\":\"n0\",\"name\":\"" + bitmap + "\"}}");
            Matcher m = Pattern.compile("\"sha256\"\\s*:\\s*\"([0-9a-f]{64})\"").matcher(reply);
            assertThat(m.find()).as("sha256 in %s", reply).isTrue();
            return m.group(1);
        }

        @Override
        public void close() throws Exception {
            try {
                execute("{\"execute\":\"quit\"}");
            } catch (IOException | AssertionError e) {
                // the connection may close before the reply
            }
            channel.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
