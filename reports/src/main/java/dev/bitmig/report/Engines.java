package dev.bitmig.report;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.SearchEngine;
import dev.bitmig.check.VerdictMatrix;
import dev.bitmig.model.Policy;
import dev.bitmig.model.Spec;
import io.vavr.collection.List;

import java.io.PrintWriter;

/**
 * Where the search runs: in this JVM (the default), or on an engine found on the class path, such as spark (the
 * optional module spark, built with -Pspark; the launcher builds it when given --engine spark).
 */
final class Engines {
    private Engines() {
    }

    static final String JVM = "jvm";
    static final String SPARK = "spark";

    /** The masters Spark accepts, checked before Spark is started (Spark's own refusal comes with a stack trace). */
    private static final java.util.regex.Pattern MASTER = java.util.regex.Pattern.compile(
            "local(\\[(\\*|[1-9][0-9]*)(,[0-9]+)?])?|local-cluster\\[[0-9]+,[0-9]+,[0-9]+]|spark://\\S+|yarn|k8s://\\S+");

    /** The most shards a search may be split into. */
    static final int MAX_PARTITIONS = 1 << 20;

    /** The engine's options, checked: one line of bad input for a wrong combination. */
    static void check(String engine, String master, Integer partitions, boolean threadsGiven) {
        if (!engine.equals(JVM) && !engine.equals(SPARK)) {
            throw new Main.BadInput("--engine must be " + JVM + " or " + SPARK + ", got '" + engine + "'");
        }
        if (engine.equals(JVM) && (master != null || partitions != null)) {
            throw new Main.BadInput((master != null ? "--master" : "--partitions") + " is an option of --engine "
                    + SPARK);
        }
        if (engine.equals(SPARK) && threadsGiven) {
            throw new Main.BadInput("--threads is an option of --engine " + JVM + "; with --engine " + SPARK
                    + " give --partitions or --master local[N]");
        }
        if (master != null && !MASTER.matcher(master).matches()) {
            throw new Main.BadInput("--master must be local, local[N], local[*], spark://HOST:PORT, yarn or"
                    + " k8s://URL, got '" + master + "'");
        }
        if (partitions != null && (partitions < 1 || partitions > MAX_PARTITIONS)) {
            throw new Main.BadInput("--partitions must be between 1 and " + MAX_PARTITIONS + ", got " + partitions);
        }
    }

    /** Explore every policy on the named engine; its lines (one per level) go to {@code err}. */
    static VerdictMatrix explore(String engine, String master, Integer partitions, List<Policy> ps, Bounds bounds,
                                 boolean symmetry, PrintWriter err) {
        SearchEngine e = SearchEngine.named(engine).orElseThrow(() -> new Main.BadInput("the " + engine
                + " engine is not on the class path: build it with the Maven profile " + engine
                + " (./bitmig does when given --engine " + engine + ") or run it through spark-submit"));
        try (e) {
            try {
                e.start(master, partitions == null ? 0 : partitions, line -> {
                    err.println(line);
                    err.flush();
                });
            } catch (Exception ex) { // Spark's SparkException is checked in Scala's eyes only
                throw new Main.BadInput("the " + engine + " engine cannot start"
                        + (master == null ? "" : " on '" + master + "'") + ": " + ex.getMessage());
            }
            return new VerdictMatrix(bounds, ps.map(p -> e.explore(new Spec(p, bounds.geometry()), bounds, symmetry)));
        }
    }
}
