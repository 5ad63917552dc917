package dev.bitmig.live;

import dev.bitmig.model.Action;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Spec;
import dev.bitmig.model.World;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Runs model action sequences on real QEMU and on the model (QEMU_7_2 or QEMU_10_0, as the QEMU under test) side by side, comparing after every
 * step; shrinks every disagreement and every invariant QEMU violates to a minimal sequence; replays counterexamples.
 */
public final class LiveChecker {
    /** How a sequence ended. */
    public enum Status { AGREE, DISAGREE, UNMAPPABLE, ERROR }

    /** One step: the action, both outcomes, disagreements, and invariants QEMU's state violates. */
    public record StepRecord(int index, String action, String model, String qemu, List<Comparison.Mismatch> mismatches,
                             List<String> qemuViolations, List<String> modelViolations, long nanos) {
    }

    /** The run of one sequence. */
    public record Run(List<Action> actions, Status status, String note, List<StepRecord> steps, List<String> script,
                      String qemuVersion) {

        /** The first disagreeing step, or null. */
        public StepRecord firstMismatch() {
            return steps.stream().filter(s -> !s.mismatches().isEmpty()).findFirst().orElse(null);
        }

        /** The grouping key of the first disagreement: the action kind and the kind of difference. */
        public String signature() {
            StepRecord s = firstMismatch();
            if (s == null) {
                return status == Status.ERROR ? "harness error" : null;
            }
            return s.mismatches().get(0).key();
        }

        /** Invariant titles QEMU's observed state violates at some step. */
        public List<String> qemuViolationTitles() {
            List<String> t = new ArrayList<>();
            for (StepRecord s : steps) {
                for (String v : s.qemuViolations()) {
                    String title = v.substring(0, v.indexOf(':'));
                    if (!t.contains(title)) t.add(title);
                }
            }
            return t;
        }

        /** Invariant titles the model's world violates at some step. */
        public List<String> modelViolationTitles() {
            List<String> t = new ArrayList<>();
            for (StepRecord s : steps) {
                for (String v : s.modelViolations()) {
                    String title = v.substring(0, v.indexOf(':'));
                    if (!t.contains(title)) t.add(title);
                }
            }
            return t;
        }
    }

    private final StepTimings timings;
    private final List<Long> stepNanos = new ArrayList<>();
    private String qemuVersion = "unknown";
    private long shrinkDeadline = Long.MAX_VALUE;

    /** Shrinking stops (keeping the smallest sequence found so far) once this much wall time has passed. */
    public void shrinkBudget(java.time.Duration budget) {
        long now = System.nanoTime();
        shrinkDeadline = budget.toNanos() > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + budget.toNanos();
    }

    public LiveChecker(StepTimings timings) {
        this.timings = timings;
    }

    private boolean storeFailures;

    /** Every QEMU of every run opens the image through the blkdebug layer that Action.VolumeFull switches. */
    public LiveChecker withStoreFailures(boolean on) {
        this.storeFailures = on;
        return this;
    }

    /** Wall time of every model step executed on QEMU (action plus observation), in nanoseconds. */
    public synchronized List<Long> stepNanos() {
        return List.copyOf(stepNanos);
    }

    public String qemuVersion() {
        return qemuVersion;
    }

    /**
     * Runs the sequence on a fresh QEMU pair and a fresh model world. With {@code stopAtDisagreement}, the run ends at
     * the first step where model and QEMU differ (later comparisons would only echo it).
     */
    public Run run(List<Action> actions, Geometry geometry, boolean stopAtDisagreement) {
        Spec spec = new Spec(QemuInstall.policy(), geometry);
        Comparison cmp = new Comparison(geometry);
        World w = World.initial(geometry);
        List<StepRecord> steps = new ArrayList<>();
        Status status = Status.AGREE;
        String note = "";
        LiveSystem sys = null;
        List<String> script = List.of();
        try {
            sys = new LiveSystem(geometry, timings, storeFailures);
            if (qemuVersion.equals("unknown")) {
                qemuVersion = sys.qemuVersion();
            }
            World observedBefore = cmp.observedWorld(w, sys.observe());
            for (int i = 0; i < actions.size(); i++) {
                Action a = actions.get(i);
                long t0 = System.nanoTime();
                Outcome q;
                try {
                    q = sys.step(a);
                } catch (LiveSystem.Unmappable e) {
                    status = status == Status.AGREE ? Status.UNMAPPABLE : status;
                    note = "step " + (i + 1) + " " + a + " not mappable: " + e.getMessage();
                    break;
                }
                Outcome m = spec.apply(w, a);
                World after = m.successor().isDefined() ? m.successor().get()
                        : w.withLosses(io.vavr.collection.List.empty());
                Observation o = sys.observe();
                long dt = System.nanoTime() - t0;
                synchronized (this) {
                    stepNanos.add(dt);
                }
                List<Comparison.Mismatch> mm = new ArrayList<>(cmp.outcome(a, m, q));
                mm.addAll(cmp.state(after, o));
                World observedAfter = cmp.observedWorld(after, o);
                List<String> qv = cmp.violations(a, observedBefore, observedAfter, after);
                List<String> mv = cmp.modelViolations(after);
                steps.add(new StepRecord(i + 1, a.toString(), describe(m), describe(q), mm, qv, mv, dt));
                w = after;
                observedBefore = observedAfter;
                if (!mm.isEmpty()) {
                    status = Status.DISAGREE;
                    if (stopAtDisagreement) {
                        break;
                    }
                }
            }
        } catch (RuntimeException e) {
            status = Status.ERROR;
            note = "harness error at step " + (steps.size() + 1) + ": " + e;
        } finally {
            if (sys != null) {
                script = sys.script();
                sys.close();
            }
        }
        return new Run(List.copyOf(actions), status, note, steps, script, qemuVersion);
    }

    private static String describe(Outcome o) {
        if (o instanceof Outcome.Failed f) return "failed: " + f.reason();
        return o instanceof Outcome.Rejected r ? "rejected: " + r.reason() : "accepted";
    }

    /**
     * Delta debugging: removes chunks, then single steps, while {@code still} holds, replaying on fresh QEMU each
     * time; at most {@code maxReplays} replays.
     */
    public List<Action> shrink(List<Action> actions, Predicate<List<Action>> still, int maxReplays) {
        List<Action> cur = new ArrayList<>(actions);
        int replays = 0;
        int chunk = Math.max(1, cur.size() / 2);
        while (chunk >= 1 && replays < maxReplays && System.nanoTime() < shrinkDeadline) {
            boolean changed = false;
            int i = 0;
            while (i < cur.size() && replays < maxReplays && System.nanoTime() < shrinkDeadline) {
                List<Action> cand = new ArrayList<>(cur.subList(0, i));
                cand.addAll(cur.subList(Math.min(cur.size(), i + chunk), cur.size()));
                replays++;
                if (!cand.isEmpty() && still.test(cand)) {
                    cur = cand;
                    changed = true;
                } else {
                    i += chunk;
                }
            }
            if (!changed) {
                chunk /= 2;
            }
        }
        return cur;
    }

    /** Shrinks a disagreement: the candidate must disagree with the same signature. */
    public List<Action> shrinkDisagreement(Run r, Geometry g, int maxReplays) {
        String sig = r.signature();
        List<Action> prefix = r.actions().subList(0, r.firstMismatch().index());
        return shrink(prefix, cand -> sig.equals(run(cand, g, true).signature()), maxReplays);
    }

    /** Shrinks an invariant violation on QEMU: the candidate must make QEMU violate the same invariant. */
    public List<Action> shrinkViolation(Run r, String title, Geometry g, int maxReplays) {
        return shrink(r.actions(), cand -> run(cand, g, false).qemuViolationTitles().contains(title), maxReplays);
    }

    /** The verdict of replaying one counterexample on QEMU. */
    public record Replay(String name, List<String> actions, String label, List<String> modelViolations,
                         List<String> qemuViolations, List<String> disagreements, String observedState,
                         List<String> script, Status status) {

        /** Whether QEMU's state showed every violation the model predicts (the label's "reproduced on QEMU"). */
        public boolean reproduced() {
            return label.startsWith("reproduced on QEMU");
        }

        /**
         * What a reproducer of this counterexample should exit with on the same QEMU: 1 reproduced, 2 a step that
         * cannot be mapped or run, 0 otherwise.
         */
        public int expectedReproducerExit() {
            if (reproduced()) {
                return 1;
            }
            return status == Status.UNMAPPABLE || status == Status.ERROR ? 2 : 0;
        }
    }

    /**
     * Replays a counterexample (model actions from {@code World.initial}) on QEMU: "reproduced on QEMU &lt;version&gt;"
     * when QEMU's observed state violates every invariant the model says the sequence violates, "not reproduced"
     * otherwise, with QEMU's observed state at the end.
     */
    public Replay replay(String name, List<Action> counterexample, Geometry geometry) {
        Run r = run(counterexample, geometry, false);
        List<String> predicted = r.modelViolationTitles();
        List<String> seen = r.qemuViolationTitles();
        boolean reproduced = !predicted.isEmpty() && seen.containsAll(predicted) && r.status() != Status.ERROR
                && r.status() != Status.UNMAPPABLE;
        String label = reproduced ? "reproduced on QEMU " + r.qemuVersion()
                : "not reproduced" + (predicted.isEmpty() ? " (the model predicts no violation)" : "")
                + (r.status() == Status.UNMAPPABLE || r.status() == Status.ERROR ? " (" + r.note() + ")" : "");
        List<String> dis = new ArrayList<>();
        for (StepRecord s : r.steps()) {
            for (Comparison.Mismatch m : s.mismatches()) {
                dis.add("step " + s.index() + " " + s.action() + ": " + m);
            }
        }
        StringBuilder state = new StringBuilder();
        for (StepRecord s : r.steps()) {
            state.append("step ").append(s.index()).append(' ').append(s.action()).append(": model ").append(s.model())
                    .append(", QEMU ").append(s.qemu()).append('\n');
            s.qemuViolations().forEach(v -> state.append("    QEMU state violates ").append(v).append('\n'));
        }
        return new Replay(name, r.actions().stream().map(Object::toString).toList(), label, predicted, seen, dis,
                state.toString(), r.script(), r.status());
    }

    /** Counts of findings by signature, in first-seen order. */
    static <T> Map<String, List<T>> group(List<T> items, java.util.function.Function<T, String> key) {
        Map<String, List<T>> m = new LinkedHashMap<>();
        for (T t : items) {
            m.computeIfAbsent(key.apply(t), k -> new ArrayList<>()).add(t);
        }
        return m;
    }
}
