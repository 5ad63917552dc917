package dev.bitmig.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitmig.check.ActionKinds;
import dev.bitmig.check.Bounds;
import dev.bitmig.check.Check;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.ExplorationTooLarge;
import dev.bitmig.check.Explorer;
import dev.bitmig.check.Refinement;
import dev.bitmig.check.RandomChains;
import dev.bitmig.check.Replay;
import dev.bitmig.check.Trace;
import dev.bitmig.check.TraceFormatException;
import dev.bitmig.check.TraceJson;
import dev.bitmig.check.Verdict;
import dev.bitmig.check.VerdictMatrix;
import dev.bitmig.model.Invariant;
import dev.bitmig.model.Outcome;
import dev.bitmig.model.Policies;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import io.vavr.collection.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The bitmig command line. Exit codes: 0 when every checked invariant holds, 1 when one is violated, 2 for bad usage
 * or bad input (one line on stderr, never a stack trace).
 */
@Command(name = "bitmig", mixinStandardHelpOptions = true, version = Provenance.VERSION,
        description = "Executable spec and checker for QEMU dirty bitmaps across live migration.",
        subcommands = {Main.PoliciesCmd.class, KindsCmd.class, Main.CheckCmd.class, Main.ExploreCmd.class, ReplayCmd.class,
                Main.ReportCmd.class, LiveCmd.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    public static final int HOLDS = 0;
    public static final int VIOLATED = 1;
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: one-line errors, exit 2 for bad usage and bad input. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // a path the file system cannot have (a NUL character): one line that shows it escaped, without the exception
        cl.registerConverter(Path.class, s -> {
            try {
                return Path.of(s);
            } catch (InvalidPathException e) {
                throw new CommandLine.TypeConversionException(TraceJson.shown(s) + " is not a path (" + e.getReason() + ")");
            }
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("bitmig: " + oneLine(ex.getMessage()) + " (see 'bitmig --help')");
            err.flush();
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("bitmig: " + oneLine(ex instanceof BadInput || ex instanceof TraceFormatException
                    ? ex.getMessage() : ex.toString()));
            err.flush();
            return BAD_INPUT;
        });
        cl.setExitCodeExceptionMapper(ex -> BAD_INPUT);
        return cl;
    }

    /** A path given as text: one line of bad input when the file system cannot have it (a NUL character). */
    static Path path(String s) {
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new BadInput(TraceJson.shown(s) + " is not a path (" + e.getReason() + ")");
        }
    }

    static String oneLine(String s) {
        return s == null ? "error" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Without a command: one line that lists the commands (the usage is 'bitmig --help'). */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("bitmig: give a command: " + String.join(", ", spec.subcommands().keySet()) + " (see 'bitmig --help')");
        err.flush();
        return BAD_INPUT;
    }

    /** Bad input in words: exit 2 with the message. */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message);
        }
    }

    static List<Policy> policies(String name, boolean all) {
        return PolicyNames.select(name, all);
    }

    /** The most explorer threads: each is a real thread, and the explorer splits a level into 8 chunks per thread. */
    static final int MAX_THREADS = 256;

    /** Options shared by check and explore. */
    static class ExploreOptions {
        @Option(names = "--policy", paramLabel = "P", description = "one policy (see 'bitmig policies')")
        String policy;
        @Option(names = "--all", description = "every policy")
        boolean all;
        @Option(names = "--depth", paramLabel = "D", description = "longest action sequence explored (default ${DEFAULT-VALUE})")
        int depth = Bounds.DEFAULT.depth();
        @Option(names = "--clusters", paramLabel = "N", description = "disk size in clusters (default ${DEFAULT-VALUE})")
        int clusters = Bounds.DEFAULT.clusters();
        @Option(names = "--threads", paramLabel = "T", description = "explorer threads (default: available processors)")
        int threads = Runtime.getRuntime().availableProcessors();
        @Option(names = "--mirror", paramLabel = "G", split = ",",
                description = "also start active mirror jobs with these granularities, in clusters (default: none)")
        java.util.List<Integer> mirror = new java.util.ArrayList<>();
        @Option(names = "--json", description = "one JSON document on stdout")
        boolean json;
        @Option(names = "--progress", description = "progress on stderr every 10 s even when stderr is not a terminal")
        boolean progress;
        @Option(names = "--without", paramLabel = "KIND", split = ",",
                description = "leave out these action kinds, e.g. ForeignWrite (see 'bitmig kinds')")
        java.util.List<String> without = new java.util.ArrayList<>();
        @Option(names = "--only", paramLabel = "KIND", split = ",",
                description = "try only these action kinds (see 'bitmig kinds')")
        java.util.List<String> only = new java.util.ArrayList<>();
        @Option(names = "--no-symmetry", description = "explore without the symmetry reduction over bitmap names")
        boolean noSymmetry;
        @Option(names = "--engine", paramLabel = "E", description = "where the search runs: jvm (this JVM, default)"
                + " or spark (Apache Spark; ./bitmig builds the spark module for it)")
        String engine = Engines.JVM;
        @Option(names = "--master", paramLabel = "URL", description = "with --engine spark: local[*], local[N] or"
                + " spark://HOST:PORT (default: spark-submit's master, else local[*])")
        String master;
        @Option(names = "--partitions", paramLabel = "N", description = "with --engine spark: the shards the states"
                + " are split into (default: two per core)")
        Integer partitions;
        @Option(names = "--inactive-adds", description = "also add bitmaps on a QEMU that does not own the image, such"
                + " as the incoming one (QEMU accepts it; off by default)")
        boolean inactiveAdds;
        @picocli.CommandLine.Mixin
        CapabilityOptions capabilities;

        Bounds bounds() {
            if (depth < 0) {
                throw new BadInput("--depth must not be negative, got " + depth);
            }
            if (clusters < 1 || clusters > Bounds.MAX_CLUSTERS) {
                throw new BadInput("--clusters must be between 1 and " + Bounds.MAX_CLUSTERS + ", got " + clusters);
            }
            if (threads < 1 || threads > MAX_THREADS) {
                throw new BadInput("--threads must be between 1 and " + MAX_THREADS + ", got " + threads);
            }
            for (int g : mirror) {
                if (!dev.bitmig.model.Mirror.validGranularity(g)) {
                    throw new BadInput("--mirror granularities must be powers of two up to "
                            + dev.bitmig.model.Mirror.MAX_GRANULARITY + ", got " + g);
                }
            }
            if (capabilities.firstOn() != null && !Engines.JVM.equals(engine)) {
                throw new BadInput(capabilities.firstOn() + " runs on --engine jvm only");
            }
            return Bounds.DEFAULT.withDepth(depth).withClusters(clusters).withMirrorGranularities(List.ofAll(mirror))
                    .withWithout(kinds()).withInactiveAdds(inactiveAdds)
                    .withCapabilities(capabilities.capabilities());
        }

        /** The kinds left out: --without, or everything but --only. */
        List<String> kinds() {
            if (!without.isEmpty() && !only.isEmpty()) {
                throw new BadInput("give --without or --only, not both");
            }
            try {
                return only.isEmpty() ? ActionKinds.parse("--without", without)
                        : ActionKinds.complement(ActionKinds.parse("--only", only));
            } catch (IllegalArgumentException e) {
                throw new BadInput(e.getMessage());
            }
        }
    }

    @Command(name = "policies", mixinStandardHelpOptions = true, description = "Each policy with its description.")
    static final class PoliciesCmd implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (Policy p : Policies.ALL) {
                out.println(p.name());
                out.println("  " + p.description());
                out.println();
            }
            out.flush();
            return HOLDS;
        }
    }

    @Command(name = "explore", mixinStandardHelpOptions = true, description = "Exhaustive exploration only: policy x invariant verdicts.")
    static class ExploreCmd implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        ExploreOptionsMixin opts;

        @Override
        public Integer call() {
            for (String checkOnly : List.of("--tries", "--seed", "--traces")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(checkOnly)) {
                    throw new BadInput(checkOnly + " is an option of check (the random chains), not of explore");
                }
            }
            return run(false);
        }

        int run(boolean chains) {
            Bounds bounds = opts.o.bounds();
            List<Policy> ps = policies(opts.o.policy, opts.o.all);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ProgressLine progress = new ProgressLine(err, opts.o.progress);
            progress.heap(Runtime.getRuntime().maxMemory());
            Engines.check(opts.o.engine, opts.o.master, opts.o.partitions,
                    spec.commandLine().getParseResult().hasMatchedOption("--threads"));
            VerdictMatrix m = opts.o.engine.equals(Engines.JVM)
                    ? explore(ps, bounds, opts.o.threads, !opts.o.noSymmetry, progress)
                    : Engines.explore(opts.o.engine, opts.o.master, opts.o.partitions, ps, bounds, !opts.o.noSymmetry, err);
            boolean ok = m.allHold();
            if (opts.traces != null) {
                TraceFiles.write(opts.traces, m, err);
            }
            ObjectNode doc = m.toJson();
            List<RandomChains.Result> random = List.empty();
            if (chains) {
                ArrayNode arr = doc.putArray("random");
                for (Policy p : ps) {
                    if (!dev.bitmig.impl.policy.ImplPolicy.exists(p)) {
                        random = random.append(null);
                        arr.addObject().put("policy", p.name()).put("verdict", "model only");
                        continue;
                    }
                    RandomChains.Result r = new RandomChains(p, bounds, Collections.emptySet(), Check::isRefinement)
                            .run(opts.seed, opts.tries, Math.max(1, bounds.depth() * 2));
                    random = random.append(r);
                    ObjectNode o = arr.addObject();
                    o.put("policy", p.name());
                    o.put("seed", opts.seed);
                    o.put("chains", r.chains());
                    o.put("steps", r.steps());
                    o.put("verdict", r.counterexample().isEmpty() ? "agrees" : "refinement failure");
                    r.counterexample().forEach(t -> {
                        o.set("counterexample", TraceJson.trace(t));
                    });
                    ok &= r.counterexample().isEmpty();
                }
                ((ObjectNode) doc.get("configuration")).put("tries", opts.tries).put("seed", opts.seed);
            }
            if (opts.o.json) {
                out.println(doc.toPrettyString());
            } else {
                table(out, m);
                for (int i = 0; i < random.size(); i++) {
                    RandomChains.Result r = random.get(i);
                    if (r == null) {
                        out.printf("random lockstep %-24s model only: the policy has no implementation to check%n",
                                ps.get(i).name());
                        continue;
                    }
                    out.printf("random lockstep %-24s %d chains, %d steps, seed %d: %s%n", ps.get(i).name(),
                            r.chains(), r.steps(), opts.seed, r.counterexample().isEmpty()
                                    ? "model and implementation agree"
                                    : "REFINEMENT FAILURE " + r.failure().map(f -> f.message()).getOrElse(""));
                }
            }
            out.flush();
            return ok ? HOLDS : VIOLATED;
        }
    }

    /** The explore options plus the random-chain options (unused by explore). */
    static class ExploreOptionsMixin {
        @CommandLine.Mixin
        ExploreOptions o;
        @Option(names = "--tries", paramLabel = "T", description = "random lockstep chains per policy (check only; default ${DEFAULT-VALUE})")
        int tries = 200;
        @Option(names = "--seed", paramLabel = "S", description = "seed of the random chains (check only; default ${DEFAULT-VALUE})")
        long seed = 1;
        @Option(names = "--traces", paramLabel = "DIR", description = "write the shortest counterexample of every class "
                + "as a trace file that 'bitmig replay' reads (check only)")
        Path traces;
    }

    @Command(name = "check", mixinStandardHelpOptions = true, description = "The explorer and the random lockstep chains (model vs implementation).")
    static final class CheckCmd extends ExploreCmd {
        @Override
        public Integer call() {
            if (opts.tries < 0) {
                throw new BadInput("--tries must not be negative, got " + opts.tries);
            }
            return run(true);
        }
    }

    /** Explore every policy; a run that cannot fit its heap is bad input for this machine: exit 2, one line. */
    static VerdictMatrix explore(List<Policy> ps, Bounds bounds, int threads, boolean symmetry, ProgressLine progress) {
        try {
            return new VerdictMatrix(bounds, ps.map(p -> {
                progress.policy(p.name());
                return new Explorer(new Spec(p, bounds.geometry()), bounds, threads, Refinement.NONE)
                        .withSymmetry(symmetry).run(Explorer.initialWorlds(bounds), progress);
            }));
        } catch (ExplorationTooLarge e) {
            throw new BadInput(e.getMessage());
        } finally {
            progress.done();
        }
    }

    static void table(PrintWriter out, VerdictMatrix m) {
        VerdictTable.print(out, m);
    }

    @Command(name = "report", mixinStandardHelpOptions = true, description = "Write the report (index.html, REPORT.md, counterexample pages).")
    static final class ReportCmd implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--out", paramLabel = "DIR", description = "output directory (default ${DEFAULT-VALUE})")
        Path out = Report.defaultOut();
        @Option(names = "--depth", paramLabel = "D", description = "exploration depth (default ${DEFAULT-VALUE})")
        int depth = Bounds.DEFAULT.depth();
        @Option(names = "--progress", description = "a progress line on stderr even when it is not a terminal")
        boolean progress;

        @Override
        public Integer call() throws Exception {
            if (depth < 0) {
                throw new BadInput("--depth must not be negative, got " + depth);
            }
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new BadInput(out + ": not a directory");
            }
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : null;
                throw new BadInput(out + ": cannot create the output directory" + (reason == null ? "" : " (" + reason + ")"));
            }
            PrintWriter err = spec.commandLine().getErr();
            ProgressLine p = new ProgressLine(err, progress || System.console() != null);
            Report.Result r = Report.generate(out, Bounds.DEFAULT.withDepth(depth),
                    depth == Bounds.DEFAULT.depth() ? "Bounds.DEFAULT (bitmig report)" : "Bounds.DEFAULT with depth " + depth + " (bitmig report --depth)",
                    p);
            p.done();
            spec.commandLine().getOut().println("report written to " + r.index());
            spec.commandLine().getOut().flush();
            return r.matrix().allHold() ? HOLDS : VIOLATED;
        }
    }
}
