package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitmig.check.Bounds;
import dev.bitmig.check.InitialWorld;
import dev.bitmig.check.TraceFormatException;
import dev.bitmig.check.TraceJson;
import dev.bitmig.model.Action;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checker's counterexamples for one policy, read from its verdict matrix (the golden file or `bitmig check
 * --json`), each turned into a sequence from the model's initial world: the named initial world's own steps first.
 */
public final class CheckerCounterexamples {
    private CheckerCounterexamples() {
    }

    /** Counterexample name → actions from World.initial, for every violated cell of {@code policy}. */
    public static Map<String, List<Action>> of(Path matrix, String policy) throws IOException, TraceFormatException {
        JsonNode doc = TraceJson.MAPPER.readTree(Files.readString(matrix));
        Bounds bounds = TraceJson.readBounds(doc.get("configuration"), matrix + ": configuration");
        Map<String, List<Action>> out = new LinkedHashMap<>();
        for (JsonNode cell : doc.get("results")) {
            if (!cell.get("policy").asText().equals(policy) || !cell.get("verdict").asText().equals("violated")) {
                continue;
            }
            JsonNode ce = cell.get("counterexample");
            List<Action> actions = new ArrayList<>(prelude(InitialWorld.valueOf(ce.get("initial").asText()), bounds));
            JsonNode acts = ce.get("actions");
            for (int i = 0; i < acts.size(); i++) {
                actions.add(TraceJson.readAction(acts.get(i), "counterexample " + cell.get("invariant").asText() + "[" + i + "]"));
            }
            out.put("checker: " + policy + " × " + cell.get("invariant").asText(), actions);
        }
        return out;
    }

    /** The disk size of the matrix's configuration, in clusters. */
    public static int clusters(Path matrix) throws IOException {
        return TraceJson.MAPPER.readTree(Files.readString(matrix)).get("configuration").get("clusters").asInt();
    }

    /** The steps that reach each named initial world from a running source on a fresh image (see InitialWorld). */
    static List<Action> prelude(InitialWorld initial, Bounds b) {
        return initial.fromRunningSource(b).toJavaList();
    }
}
