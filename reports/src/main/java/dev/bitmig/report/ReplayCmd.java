package dev.bitmig.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.check.Replay;
import dev.bitmig.check.Trace;
import dev.bitmig.check.TraceFormatException;
import dev.bitmig.check.TraceJson;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.World;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * bitmig replay: re-runs a trace. A counterexample claims an invariant and says whether it reproduces; a plain
 * scenario (no "invariant" field) claims nothing, and replay shows the state after every step. Exit 1 when the claim
 * reproduces (a scenario: when some step violates an invariant), 0 otherwise, 2 for bad input.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay a trace or a plain scenario: each step's outcome, the state after it, and the violations.")
final class ReplayCmd implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Parameters(paramLabel = "TRACE.json", description = "the trace file, or - to read it from standard input")
    String trace;
    @Option(names = "--json", description = "the replay as one JSON document on stdout")
    boolean json;

    @Override
    public Integer call() throws TraceFormatException {
        String where = trace.equals("-") ? "standard input" : trace;
        Trace t = read(where);
        Replay r;
        try {
            r = Replay.of(t);
        } catch (TraceFormatException e) {
            throw new TraceFormatException(where + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(json(t, r).toPrettyString());
        } else if (t.claims()) {
            counterexample(out, t, r);
        } else {
            scenario(out, t, r);
        }
        out.flush();
        return r.reproduces() ? Main.VIOLATED : Main.HOLDS;
    }

    private Trace read(String where) throws TraceFormatException {
        if (trace.equals("-")) {
            try {
                return TraceJson.parse(System.in.readNBytes(TraceJson.MAX_BYTES + 1), where);
            } catch (IOException e) {
                throw new Main.BadInput("standard input: cannot read the trace (" + e.getMessage() + ")");
            }
        }
        Path file = Main.path(trace);
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new Main.BadInput(trace + ": cannot read the trace (no such readable file)");
        }
        return TraceJson.read(file);
    }

    private static void counterexample(PrintWriter out, Trace t, Replay r) {
        out.println("policy " + t.policy() + ", initial " + t.initial() + ", claims " + t.invariant());
        for (int i = 0; i < t.actions().size(); i++) {
            io.vavr.control.Option<String> v = r.violations().get(i);
            out.printf("%3d  %-60s %s%s%n", i + 1, t.actions().get(i), outcome(r.outcomes().get(i)),
                    v.map(s -> "   VIOLATION " + t.invariant() + ": " + s).getOrElse(""));
        }
        r.refinement().forEach(s -> out.println("refinement: " + s));
        out.println(r.reproduces() ? "reproduces: " + t.invariant() + " is violated: "
                + (Trace.REFINEMENT.equals(t.invariant()) ? r.refinement().get() : r.finalViolation().get())
                : "does not reproduce " + t.invariant());
    }

    private static void scenario(PrintWriter out, Trace t, Replay r) {
        out.println("policy " + t.policy() + ", initial " + t.initial() + ", a scenario (no invariant claimed)");
        StateView.lines(t.initial().build(t.configuration()), t.configuration().geometry()).forEach(l -> out.println("     " + l));
        for (int i = 0; i < t.actions().size(); i++) {
            out.printf("%3d  %s: %s%n", i + 1, t.actions().get(i), outcome(r.outcomes().get(i)));
            StateView.lines(r.worlds().get(i), t.configuration().geometry()).forEach(l -> out.println("     " + l));
        }
        r.refinement().forEach(s -> out.println("refinement: " + s));
        out.println(r.reproduces() ? "an invariant is violated at some step" : "every invariant holds at every step");
    }

    private static String outcome(Outcome o) {
        if (o instanceof Outcome.Failed f) return "failed: " + f.reason();
        return o instanceof Outcome.Rejected rej ? "rejected: " + rej.reason() : "ok";
    }

    private static ObjectNode json(Trace t, Replay r) {
        ObjectNode root = TraceJson.MAPPER.createObjectNode();
        root.set("trace", TraceJson.trace(t));
        root.set("initialState", StateView.json(t.initial().build(t.configuration()), t.configuration().geometry()));
        ArrayNode steps = root.putArray("steps");
        for (int i = 0; i < t.actions().size(); i++) {
            ObjectNode s = steps.addObject();
            s.put("step", i + 1);
            s.set("action", TraceJson.action(t.actions().get(i)));
            s.put("outcome", outcome(r.outcomes().get(i)));
            World w = r.worlds().get(i);
            s.set("state", StateView.json(w, t.configuration().geometry()));
        }
        r.refinement().forEach(x -> root.put("refinement", x));
        root.put("violated", r.reproduces());
        return root;
    }
}
