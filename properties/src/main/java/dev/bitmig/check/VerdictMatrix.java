package dev.bitmig.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import io.vavr.collection.List;

import java.util.function.Consumer;

/** Policy × invariant → holds (states, depth) or violated (the shortest counterexample), from exhaustive runs. */
public record VerdictMatrix(Bounds bounds, List<ExplorationResult> rows) {

    public static VerdictMatrix explore(List<Policy> policies, Bounds bounds, int threads,
                                        Consumer<Explorer.Progress> progress) {
        return new VerdictMatrix(bounds, policies.map(p -> new Explorer(new Spec(p, bounds.geometry()), bounds, threads,
                Refinement.NONE).run(Explorer.initialWorlds(bounds), progress)));
    }

    public boolean allHold() {
        return rows.forAll(r -> r.verdicts().values().forAll(Verdict::holds));
    }

    /** The trace of one violated cell, ready to save and replay. */
    public static Trace trace(ExplorationResult r, Invariant i, Verdict.Violated v) {
        return new Trace(r.bounds(), r.policy(), List.empty(), InitialWorld.values()[v.initial()], v.actions(), i.title(),
                v.message());
    }

    /** The JSON document of `bitmig check --json`: {"configuration": …, "results": […]}. */
    public ObjectNode toJson() {
        ObjectNode root = TraceJson.MAPPER.createObjectNode();
        root.set("configuration", TraceJson.bounds(bounds));
        ArrayNode results = root.putArray("results");
        for (ExplorationResult r : rows) {
            r.verdicts().forEach((inv, v) -> results.add(cell(r, inv, v)));
        }
        return root;
    }

    public static ObjectNode cell(ExplorationResult r, Invariant inv, Verdict v) {
        ObjectNode o = TraceJson.MAPPER.createObjectNode();
        o.put("policy", r.policy());
        o.put("invariant", inv.title());
        if (v instanceof Verdict.Holds h) {
            o.put("verdict", "holds");
            o.put("states", h.states());
            o.put("depth", h.depth());
        } else {
            Verdict.Violated x = (Verdict.Violated) v;
            o.put("verdict", "violated");
            o.put("states", r.distinct());
            ObjectNode ce = o.putObject("counterexample");
            ce.put("length", x.actions().size());
            ce.put("initial", InitialWorld.values()[x.initial()].name());
            ce.set("actions", TraceJson.actions(x.actions()));
            ce.put("message", x.message());
        }
        return o;
    }

    /**
     * Differences that matter between this run and a saved matrix: a flipped verdict, or another shortest
     * counterexample. State counts are reported as notes only.
     */
    public static List<String> differences(JsonNode saved, JsonNode now) {
        List<String> diffs = List.empty();
        java.util.Map<String, JsonNode> before = index(saved);
        java.util.Map<String, JsonNode> after = index(now);
        for (var e : after.entrySet()) {
            JsonNode old = before.get(e.getKey());
            JsonNode cur = e.getValue();
            if (old == null) {
                diffs = diffs.append(e.getKey() + ": new cell " + cur);
                continue;
            }
            if (!old.get("verdict").equals(cur.get("verdict"))) {
                diffs = diffs.append(e.getKey() + ": verdict was " + old.get("verdict").asText() + ", now "
                        + cur.get("verdict").asText() + (cur.has("counterexample") ? ", counterexample " + cur.get("counterexample") : ""));
            } else if (cur.has("counterexample") && !cur.get("counterexample").get("actions").equals(old.get("counterexample").get("actions"))) {
                diffs = diffs.append(e.getKey() + ": another shortest counterexample: " + cur.get("counterexample")
                        + " (was " + old.get("counterexample") + ")");
            }
        }
        for (String k : before.keySet()) {
            if (!after.containsKey(k)) {
                diffs = diffs.append(k + ": cell disappeared");
            }
        }
        return diffs;
    }

    private static java.util.Map<String, JsonNode> index(JsonNode doc) {
        java.util.Map<String, JsonNode> m = new java.util.TreeMap<>();
        for (JsonNode c : doc.get("results")) {
            m.put(c.get("policy").asText() + " × " + c.get("invariant").asText(), c);
        }
        return m;
    }
}
