package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every counterexample page of a report renders in a real browser: headless Chromium (Debian's chromium package)
 * takes a screenshot of each, which must show the pictures (not a blank page), with no console error.
 */
class PicturesRenderInChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /** Where the report and the screenshots go (under the module's target directory). */
    static final Path OUT = Path.of("target/pictures-in-chromium");

    @Test
    void everyCounterexamplePageRendersItsPicturesInHeadlessChromium() throws Exception {
        // CI installs chromium (.ci/run) and must not skip the check; elsewhere it runs where chromium is installed
        if (System.getenv("CI") != null) {
            assertThat(CHROMIUM).as("CI runs this check, so chromium must be installed").isExecutable();
        }
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (.ci/run installs it)");
        Path out = Files.createDirectories(OUT);
        try (var old = Files.list(out)) {
            for (Path f : old.filter(f -> f.getFileName().toString().startsWith("ce-")).toList()) {
                Files.delete(f);
            }
        }
        Report.Result r = Report.generate(out, Bounds.DEFAULT.withDepth(4), "pictures test", p -> { });
        assertThat(r.counterexamples()).hasSizeGreaterThan(10);
        try (var files = Files.list(out)) {
            assertThat(files.filter(f -> f.getFileName().toString().matches("ce-.*\\.html")).map(out::relativize)
                    .toList()).as("the pages checked are every counterexample page of the report")
                    .containsExactlyInAnyOrderElementsOf(r.counterexamples().stream().map(out::relativize).toList());
        }
        // two browsers at a time: one per core
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<?>> checks = new ArrayList<>();
            for (Path page : r.counterexamples()) {
                checks.add(pool.submit(() -> {
                    check(page, out);
                    return null;
                }));
            }
            for (var c : checks) {
                try {
                    c.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof AssertionError a) {
                        throw a;
                    }
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void check(Path page, Path out) throws Exception {
        {
            String html = Files.readString(page);
            assertThat(html).as(page.toString()).contains("<figure class=\"timeline\"><svg")
                    .contains("<figure class=\"strips\"><svg").doesNotContain("<script").doesNotContain("src=\"http");
            Path shot = out.resolve(page.getFileName() + ".png");
            String console = screenshot(page, shot, out);
            assertThat(console).as("%s: console", page.getFileName()).doesNotContainIgnoringCase("Uncaught")
                    .doesNotContain(":ERROR:CONSOLE");
            BufferedImage img = ImageIO.read(shot.toFile());
            assertThat(img).as("%s: a PNG", shot).isNotNull();
            assertThat(inkedShare(img)).as("%s: the screenshot is not blank", page.getFileName()).isGreaterThan(0.02);
            assertThat(hasColour(img, 0x9f, 0xd8, 0x9f) || hasColour(img, 0xd4, 0xd4, 0xd4))
                    .as("%s: the timeline's bands are drawn", page.getFileName()).isTrue();
            // more of a colour than its legend's square (12 x 12 pixels) shows
            assertThat(pixels(img, 0xff, 0xd8, 0x4d)).as("%s: the actions' marks are drawn", page.getFileName())
                    .isGreaterThan(2 * LEGEND_SQUARE);
            if (page.getFileName().toString().contains("nounderreport")) {
                assertThat(pixels(img, 0xe0, 0x31, 0x31))
                        .as("%s: the strips show the missed clusters in red", page.getFileName())
                        .isGreaterThan(LEGEND_SQUARE + LEGEND_SQUARE / 4);
            }
        }
    }

    private static String screenshot(Path page, Path png, Path dir) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile"), "--window-size=1400,1800",
                "--screenshot=" + png, page.toUri().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] log = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(Files.exists(png)).as("screenshot of %s: %s", page, new String(log, StandardCharsets.UTF_8)).isTrue();
        return new String(log, StandardCharsets.UTF_8);
    }

    /** The share of pixels that are not white. */
    private static double inkedShare(BufferedImage img) {
        long inked = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    inked++;
                }
            }
        }
        return inked / ((img.getWidth() / 2.0) * (img.getHeight() / 2.0));
    }

    private static final int LEGEND_SQUARE = 12 * 12;

    private static int pixels(BufferedImage img, int r, int g, int b) {
        int want = (r << 16) | (g << 8) | b;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == want) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean hasColour(BufferedImage img, int r, int g, int b) {
        int want = (r << 16) | (g << 8) | b;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == want) {
                    return true;
                }
            }
        }
        return false;
    }
}
