package dev.bitmig.spark;

import dev.bitmig.check.Bounds;
import dev.bitmig.check.ExplorationResult;
import dev.bitmig.check.SearchEngine;
import dev.bitmig.model.Spec;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.function.Consumer;

/**
 * The search engine "spark", found by the command line through {@link java.util.ServiceLoader}: one Spark context,
 * started once for any number of searches. Without a master of its own it takes spark-submit's, or else local[*].
 */
public final class SparkSearchEngine implements SearchEngine {
    private JavaSparkContext jsc;
    private ShuffleMeter meter;
    private int partitions;
    private Consumer<String> log;

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public void start(String master, int partitions, Consumer<String> log) {
        SparkConf conf = SparkSettings.conf(master);
        this.jsc = new JavaSparkContext(conf);
        jsc.setLogLevel("WARN");
        quietUnpersistWarning();
        this.meter = new ShuffleMeter();
        jsc.sc().addSparkListener(meter);
        this.partitions = partitions > 0 ? partitions : SparkSettings.partitionsFor(jsc.defaultParallelism());
        this.log = log;
    }

    /**
     * Each level unpersists the level before it once the new one is checkpointed, which Spark warns about (the old
     * level could not be recomputed): that is the point, so that warning is not shown.
     */
    private static void quietUnpersistWarning() {
        try {
            org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark.rdd.ZippedPartitionsRDD2",
                    org.apache.logging.log4j.Level.ERROR);
        } catch (LinkageError e) {
            // a Spark without Log4j 2 as its logging backend: the warning stays
        }
    }

    @Override
    public ExplorationResult explore(Spec spec, Bounds bounds, boolean symmetry) {
        if (jsc == null) {
            throw new IllegalStateException("start the engine first");
        }
        return new SparkExplorer(jsc, partitions, meter, log).run(spec, bounds, symmetry);
    }

    /** The partitions the states are split into. */
    public int partitions() {
        return partitions;
    }

    @Override
    public void close() {
        if (jsc != null) {
            jsc.stop();
            jsc = null;
        }
    }
}
