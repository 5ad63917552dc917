package dev.bitmig.check;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The committed verdict matrix, read once: which invariants hold for which policy within the default bounds. */
final class Golden {
    private static JsonNode doc;

    private Golden() {
    }

    static synchronized JsonNode matrix() {
        if (doc == null) {
            try {
                doc = TraceJson.MAPPER.readTree(Files.readString(VerdictMatrixTest.GOLDEN));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return doc;
    }

    /** Whether the exhaustive run proved this invariant within the default bounds for this policy. */
    static boolean holds(String policy, String invariant) {
        for (JsonNode c : matrix().get("results")) {
            if (c.get("policy").asText().equals(policy) && c.get("invariant").asText().equals(invariant)) {
                return c.get("verdict").asText().equals("holds");
            }
        }
        throw new IllegalStateException("no golden cell for " + policy + " × " + invariant);
    }

    /** A failed check is fatal when it is a refinement failure, or breaks an invariant the explorer proved. */
    static boolean fatal(String policy, Check c) {
        return c.isRefinement() || holds(policy, c.title());
    }
}
