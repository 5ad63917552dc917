package dev.bitmig.impl.qcow2.differential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** qemu-img as the judge of an image: {@code check} and {@code info}, both with JSON output. */
final class QemuImg {
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    private final QemuInstall qemu;

    QemuImg(QemuInstall qemu) {
        this.qemu = qemu;
    }

    /** What {@code qemu-img check} found: exit status 0 clean, 2 corruptions, 3 leaks only. */
    record Check(int exit, long corruptions, long leaks, long checkErrors, String output) {
        boolean clean() {
            return exit == 0 && corruptions == 0 && leaks == 0 && checkErrors == 0;
        }

        boolean leaksOnly() {
            return exit == 3 && corruptions == 0 && checkErrors == 0;
        }
    }

    Check check(Path image) {
        ToolRun.Result r = run("check", "-f", "qcow2", "--output=json", image.toString());
        try {
            JsonNode j = QemuProcess.JSON.readTree(r.stdout());
            return new Check(r.exit(), j.path("corruptions").asLong(0), j.path("leaks").asLong(0),
                    j.path("check-errors").asLong(0), r.output());
        } catch (JsonProcessingException e) {
            return new Check(r.exit(), -1, -1, -1, r.output());
        }
    }

    /** The bitmap entries {@code qemu-img info --output=json} lists: name, granularity, flags. */
    SortedMap<String, String> infoBitmaps(Path image) {
        ToolRun.Result r = run("info", "-f", "qcow2", "--output=json", image.toString());
        SortedMap<String, String> out = new TreeMap<>();
        if (r.exit() != 0) {
            out.put("", "qemu-img info failed: " + r.output());
            return out;
        }
        try {
            for (JsonNode b : QemuProcess.JSON.readTree(r.stdout()).path("format-specific").path("data")
                    .path("bitmaps")) {
                TreeSet<String> flags = new TreeSet<>();
                b.path("flags").forEach(f -> flags.add(f.asText()));
                out.put(b.path("name").asText(), b.path("granularity").asLong() + " " + flags);
            }
        } catch (JsonProcessingException e) {
            out.put("", "unreadable qemu-img info output: " + r.output());
        }
        return out;
    }

    /** {@code qemu-img ARGS...}: exit status and output. */
    ToolRun.Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(qemu.qemuImg().toString());
        cmd.addAll(List.of(args));
        return ToolRun.run(cmd, TIMEOUT);
    }
}
