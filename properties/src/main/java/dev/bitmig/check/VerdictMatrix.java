package dev.bitmig.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import io.vavr.collection.List;

import java.util.function.Consumer;

/**
 * Policy × invariant → holds (states, depth) or violated: every violation class with its shortest counterexample, and
 * the shortest counterexample overall, from exhaustive runs.
 */
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

    /** The JSON document of `bitmig check --json`: {"configuration": …, "results": […], "runs": […]}. */
    public ObjectNode toJson() {
        ObjectNode root = TraceJson.MAPPER.createObjectNode();
        root.set("configuration", TraceJson.bounds(bounds));
        ArrayNode results = root.putArray("results");
        for (ExplorationResult r : rows) {
            r.verdicts().forEach((inv, v) -> results.add(cell(r, inv, v)));
        }
        ArrayNode runs = root.putArray("runs");
        for (ExplorationResult r : rows) {
            ObjectNode o = runs.addObject();
            o.put("policy", r.policy());
            o.put("states", r.distinct());
            o.put("depth", r.depth());
            ArrayNode levels = o.putArray("statesPerLevel");
            r.levels().forEach(levels::add);
            o.put("successors", r.generated());
            o.put("symmetry", r.symmetry());
            o.put("fingerprintCollisionProbability", r.collisionProbability());
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
            o.put("verdict", "violated");
            o.put("states", r.distinct());
            o.set("counterexample", counterexample(r, inv, (Verdict.Violated) v));
            ArrayNode classes = o.putArray("classes");
            for (ClassFinding f : r.classesOf(inv)) {
                ObjectNode c = classes.addObject();
                c.put("class", f.violationClass().name());
                c.put("description", f.violationClass().explanation());
                c.set("counterexample", counterexample(r, inv, f.counterexample()));
            }
        }
        return o;
    }

    /**
     * A counterexample as a whole trace (configuration, policy, initial world, actions, invariant, message) with its
     * length: `bitmig replay` reads it as it is, cut out of the document.
     */
    static ObjectNode counterexample(ExplorationResult r, Invariant i, Verdict.Violated x) {
        ObjectNode ce = TraceJson.MAPPER.createObjectNode();
        ce.put("length", x.actions().size());
        ce.setAll(TraceJson.trace(trace(r, i, x)));
        return ce;
    }

    /**
     * Differences that matter between this run and a saved matrix, in words: a flipped verdict, a class that appears or
     * disappears, or another shortest counterexample of a class. State counts are not compared.
     */
    public static List<String> differences(JsonNode saved, JsonNode now) {
        List<String> diffs = List.empty();
        java.util.Map<String, JsonNode> before = index(saved);
        java.util.Map<String, JsonNode> after = index(now);
        for (var e : after.entrySet()) {
            JsonNode old = before.get(e.getKey());
            JsonNode cur = e.getValue();
            String cell = cur.get("policy").asText() + " × " + cur.get("invariant").asText();
            if (old == null) {
                diffs = diffs.append(cell + ": new cell, " + cur.get("verdict").asText());
                continue;
            }
            if (!old.get("verdict").equals(cur.get("verdict"))) {
                diffs = diffs.append(cell + ": verdict was " + old.get("verdict").asText() + ", now "
                        + cur.get("verdict").asText());
            }
            diffs = diffs.appendAll(classDifferences(cur.get("policy").asText(), cur.get("invariant").asText(),
                    classes(old), classes(cur)));
        }
        for (String k : before.keySet()) {
            if (!after.containsKey(k)) {
                diffs = diffs.append(k + ": cell disappeared");
            }
        }
        return diffs;
    }

    private static List<String> classDifferences(String policy, String invariant,
                                                 java.util.Map<String, JsonNode> old, java.util.Map<String, JsonNode> cur) {
        List<String> diffs = List.empty();
        for (var c : cur.entrySet()) {
            JsonNode ce = c.getValue().get("counterexample");
            if (!old.containsKey(c.getKey())) {
                diffs = diffs.append(policy + " now also fails " + invariant + " by class " + c.getKey() + " ("
                        + ce.get("length").asInt() + " steps): " + steps(ce) + " — " + ce.get("message").asText());
            } else if (!old.get(c.getKey()).get("counterexample").get("actions").equals(ce.get("actions"))) {
                diffs = diffs.append(policy + " fails " + invariant + " by class " + c.getKey()
                        + " with another shortest counterexample (" + ce.get("length").asInt() + " steps): " + steps(ce)
                        + " (was " + steps(old.get(c.getKey()).get("counterexample")) + ")");
            }
        }
        for (String k : old.keySet()) {
            if (!cur.containsKey(k)) {
                diffs = diffs.append(policy + " no longer fails " + invariant + " by class " + k);
            }
        }
        return diffs;
    }

    private static java.util.Map<String, JsonNode> classes(JsonNode cell) {
        java.util.Map<String, JsonNode> m = new java.util.TreeMap<>();
        JsonNode list = cell.get("classes");
        if (list != null) {
            for (JsonNode c : list) {
                m.put(c.get("class").asText(), c);
            }
        }
        return m;
    }

    /** The actions of a counterexample, as "A, B, C". */
    static String steps(JsonNode counterexample) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode a : counterexample.get("actions")) {
            out.add(a.toString());
        }
        return String.join(", ", out);
    }

    private static java.util.Map<String, JsonNode> index(JsonNode doc) {
        java.util.Map<String, JsonNode> m = new java.util.TreeMap<>();
        for (JsonNode c : doc.get("results")) {
            m.put(c.get("policy").asText() + " × " + c.get("invariant").asText(), c);
        }
        return m;
    }
}
