package dev.bitmig.check;

import dev.bitmig.model.Capabilities;
import dev.bitmig.model.Policies;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

class TmpDepth7Probe {
    @Test
    void probe() throws Exception {
        Bounds b = Bounds.DEFAULT.withCapabilities(Capabilities.ALL).withDepth(7);
        VerdictMatrix m = new VerdictMatrix(b, Policies.ALL.map(p -> Runs.of(p, b, 2, true)));
        Files.writeString(Path.of("/tmp/bj-depth7.json"), TraceJson.MAPPER.writeValueAsString(m.toJson()));
    }
}
